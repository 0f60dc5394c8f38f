import { expect } from 'chai';
import { Outbox } from '../../lib/actor/Outbox.js';
import type { Envelope } from '../../lib/index.js';

const env = (id: number): Envelope => ({
  id,
  from: 'a',
  to: 'b',
  cmd: 'ping',
  args: [],
  ack: true,
});

describe('Outbox', () => {
  describe('push()', () => {
    it('should send the envelopes of one tick as one batch', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox((batch) => batches.push(batch), 1000);
      for (let i = 1; i <= 100; i++) outbox.push(env(i));
      expect(batches).to.have.length(0);
      await Promise.resolve();
      expect(batches).to.have.length(1);
      expect(batches[0]!.map((e) => e.id)).to.deep.equal([...Array(100).keys()].map((i) => i + 1));
    });

    it('should include envelopes pushed by microtasks of the same tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox((batch) => batches.push(batch));
      outbox.push(env(1));
      queueMicrotask(() => outbox.push(env(2)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches.flat().map((e) => e.id)).to.deep.equal([1, 2]);
    });

    it('should start a new batch on the next tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox((batch) => batches.push(batch));
      outbox.push(env(1));
      await new Promise((resolve) => setImmediate(resolve));
      outbox.push(env(2));
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches.map((b) => b.map((e) => e.id))).to.deep.equal([[1], [2]]);
    });
  });

  describe('maxBatch', () => {
    it('should send a batch at once when it is full, and the rest at the end of the tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox((batch) => batches.push(batch), 32);
      for (let i = 1; i <= 70; i++) outbox.push(env(i));
      expect(batches.map((b) => b.length)).to.deep.equal([32, 32]);
      await Promise.resolve();
      expect(batches.map((b) => b.length)).to.deep.equal([32, 32, 6]);
      expect(batches.flat().map((e) => e.id)).to.deep.equal(
        [...Array(70).keys()].map((i) => i + 1),
      );
    });
  });

  describe('clear()', () => {
    it('should drop what waits', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox((batch) => batches.push(batch));
      outbox.push(env(1));
      outbox.clear();
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches).to.deep.equal([]);
    });
  });
});
