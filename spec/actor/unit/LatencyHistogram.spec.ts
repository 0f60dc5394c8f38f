import { expect } from 'chai';
import { LATENCY_BUCKETS, LatencyHistogram } from '../../../lib/actor/LatencyHistogram.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LatencyHistogram', () => {
  describe('observe()', () => {
    it('should count each duration once, in the first bucket it fits (+Inf last)', () => {
      const h = new LatencyHistogram();
      for (const ms of [0.2, 1, 1.5, 7, 20_000]) h.observe(ms);
      const { counts, count, sum } = h.snapshot();
      expect(counts).to.have.length(LATENCY_BUCKETS.length + 1);
      expect(counts.slice(0, 3)).to.deep.equal([2, 1, 1]);
      expect(counts.at(-1)).to.equal(1);
      expect(count).to.equal(5);
      expect(sum).to.be.closeTo(20.0097, 1e-9);
    });
  });

  describe('start() and end()', () => {
    it('should time the requests of one synchronous run from one clock read', async () => {
      const h = new LatencyHistogram();
      h.enabled = true;
      const first = h.start();
      expect(h.start()).to.equal(first);
      await settle();
      expect(h.start()).to.be.at.least(first);
    });

    it('should count every request ended, at the end of its run, and none begun before recording', async () => {
      const h = new LatencyHistogram();
      h.enabled = true;
      const started = h.start();
      for (let i = 0; i < 100; i++) h.end(started);
      h.end(0); // begun while off
      expect(h.snapshot().count).to.equal(100); // a snapshot counts this run's too
      h.end(started);
      await settle();
      const { counts, count } = h.snapshot();
      expect(count).to.equal(101);
      expect(counts.reduce((x, y) => x + y, 0)).to.equal(101);
    });
  });
});
