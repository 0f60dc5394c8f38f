/**
 * `arbiter({ spares })`: warm spares for `spawn()` outside any pool. Once
 * the arbiter is up it keeps them; the next spawn of their kind becomes
 * one, its successor starts after; they end with the arbiter. Bad counts
 * are refused. Real threads and processes.
 */
import { expect } from 'chai';
import {
  arbiter,
  ImproperlyConfiguredError,
  MAX_SPAWNING,
  send,
  spawn,
  type ArbiterOptions,
} from '../../lib/index.js';
import { checkArbiterOptions } from '../../lib/arbiter/ArbiterOptions.js';
import { spares } from '../../lib/child/startWorker.js';
import { waitFor } from '../support/waiting.js';

describe('arbiter({ spares })', function () {
  this.timeout(30_000);

  for (const kind of ['thread', 'process'] as const) {
    it(`should keep a warm ${kind} for spawn(), become it at the next spawn, and end it at stop`, async () => {
      const before = spares.warm[kind];
      const a = arbiter({ spares: { [kind]: 1 }, signals: false, control: false });
      await a.start();
      try {
        await waitFor(() => spares.warm[kind] === before + 1, 10_000, `a warm ${kind} spare`);
        const proxy = await spawn({ name: `from-spare-${kind}`, concurrency: kind });
        // Taken: the spawn became the spare, and its successor is not warm yet.
        expect(spares.warm[kind]).to.equal(before);
        expect(await send(proxy, 'ping')).to.equal('pong');
        await waitFor(() => spares.warm[kind] === before + 1, 10_000, 'its successor');
        await proxy.stop();
      } finally {
        await a.stop();
      }
      expect(spares.warm[kind]).to.equal(before);
    });
  }

  it('should refuse counts that are no integer from 0 to MAX_SPAWNING, and kinds that are none', () => {
    const bad: [unknown, RegExp][] = [
      [{ thread: -1 }, /spares\.thread must be an integer from 0 to 64, not -1/],
      [{ process: 1.5 }, /spares\.process must be an integer/],
      [{ thread: MAX_SPAWNING + 1 }, /not 65/],
      [{ fork: 1 }, /spares\.fork is no kind of actor \(process or thread\)/],
      [3, /spares must be \{ process\?: n, thread\?: n \}/],
    ];
    for (const [given, message] of bad) {
      expect(() => arbiter({ spares: given } as ArbiterOptions)).to.throw(
        ImproperlyConfiguredError,
        message,
      );
    }
    // Zero is fine (none kept): checked without making an arbiter.
    expect(checkArbiterOptions({ spares: { thread: 0, process: 0 } }).spares).to.deep.equal({
      thread: 0,
      process: 0,
    });
  });
});
