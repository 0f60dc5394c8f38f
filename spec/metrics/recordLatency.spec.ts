import { expect } from 'chai';
import { Arbiter, type ActorProxy } from '../../lib/index.js';
import { recordLatency } from '../../lib/metrics/recordLatency.js';
import type { LatencySnapshot } from '../../lib/actor/LatencyHistogram.js';
import { privateRuntime } from '../support/privateRuntime.js';

/** The histogram an actor would send with its next heartbeat (`undefined`: none). */
async function latencyOf(a: Arbiter, proxy: ActorProxy): Promise<LatencySnapshot | undefined> {
  const info = (await a.send(proxy, 'info')) as { metrics: { latency?: LatencySnapshot } };
  return info.metrics.latency;
}

async function echo(a: Arbiter, proxy: ActorProxy, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await a.send(proxy, 'echo', i);
}

describe('recordLatency()', () => {
  let a: Arbiter;
  let restoreRuntime: () => void;

  before(async function () {
    this.timeout(30_000);
    restoreRuntime = privateRuntime('rxp-record-latency-spec-');
    // No --metrics: the workers record nothing until told.
    a = new Arbiter({ signals: false, exitTimeout: 2000 });
    await a.start();
  });

  after(async function () {
    this.timeout(30_000);
    await a.stop();
    restoreRuntime();
  });

  it('should keep the workers of an arbiter without metrics from recording or sending a histogram', async function () {
    this.timeout(30_000);
    const proxy = await a.spawn({ name: 'plain', concurrency: 'thread' });
    try {
      await echo(a, proxy, 5);
      expect(await latencyOf(a, proxy)).to.equal(undefined);
    } finally {
      await proxy.stop();
    }
  });

  it('should record every request of a worker spawned while on, exactly, and stop when turned off', async function () {
    this.timeout(30_000);
    const off = await recordLatency(a);
    let proxy: ActorProxy | undefined;
    try {
      proxy = await a.spawn({ name: 'metered', concurrency: 'process' });
      await echo(a, proxy, 7);
      // 7 echoes; `info` itself is counted once it is answered, not before.
      const h = (await latencyOf(a, proxy))!;
      expect(h.count).to.equal(7);
      expect(h.counts.reduce((x, y) => x + y, 0)).to.equal(7);
      expect(h.sum).to.be.above(0);
      await off();
      await echo(a, proxy, 3);
      expect(await latencyOf(a, proxy)).to.equal(undefined);
    } finally {
      await off();
      await proxy?.stop();
    }
  });

  it('should turn running workers on when told, and keep them on while another metrics server is left', async function () {
    this.timeout(30_000);
    const proxy = await a.spawn({ name: 'running', concurrency: 'thread' });
    try {
      await echo(a, proxy, 4);
      const first = await recordLatency(a);
      const second = await recordLatency(a);
      await echo(a, proxy, 5);
      // Counted from the switch on: the second command (the first began
      // before) and the 5 echoes; not the 4 echoes before.
      expect((await latencyOf(a, proxy))!.count).to.equal(6);
      await first();
      await echo(a, proxy, 2);
      // The `info` answered above is counted too.
      expect((await latencyOf(a, proxy))!.count).to.equal(9);
      await second();
      expect(await latencyOf(a, proxy)).to.equal(undefined);
    } finally {
      await proxy.stop();
    }
  });
});
