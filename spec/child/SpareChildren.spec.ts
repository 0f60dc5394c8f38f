import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { send, spawn, type ActorProxy } from '../../lib/index.js';
import { spares } from '../../lib/child/startWorker.js';
import { SpareChildren } from '../../lib/child/SpareChildren.js';
import { arbiterPerSuite } from '../support/arbiterPerSuite.js';
import { alive, sleep, waitFor } from '../support/waiting.js';

/** A mark of now: the time, and the id the next thread of this process gets. */
async function mark(): Promise<{ at: number; threadId: number }> {
  const probe = new Worker('', { eval: true });
  const threadId = probe.threadId;
  await once(probe, 'exit');
  return { at: performance.timeOrigin + performance.now(), threadId };
}

/** Whether the actor's process or thread was started before the mark. */
async function startedBefore(
  proxy: ActorProxy,
  before: { at: number; threadId: number },
): Promise<boolean> {
  if (proxy.concurrency === 'thread') return proxy.threadId! < before.threadId;
  return Number(await send(proxy, 'run', () => performance.timeOrigin)) < before.at;
}

describe('SpareChildren', () => {
  const a = arbiterPerSuite();

  describe('keep()', () => {
    for (const kind of ['process', 'thread'] as const) {
      it(`should start a warm ${kind} and end it when released`, async () => {
        const release = spares.keep(kind);
        try {
          expect(spares.count[kind]).to.equal(1);
          await waitFor(() => spares.warm[kind] === 1, 20_000, `a warm ${kind} spare`);
        } finally {
          await release();
        }
        expect(spares.count[kind]).to.equal(0);
      });
    }

    it('should stop starting spares that die before they are warm, three in a row', async () => {
      const dies = new URL('../fixtures/actors/dies-at-once.js', import.meta.url);
      const broken = new SpareChildren({ process: dies, thread: dies });
      const release = broken.keep('thread');
      try {
        await waitFor(() => broken.count.thread === 0, 20_000, 'the refills to stop');
        await sleep(200);
        expect(broken.count.thread).to.equal(0);
      } finally {
        await release();
      }
    });

    it('should start at most maxCold spares of a holder at once, the next as one is warm', async () => {
      const entry = new URL('../../lib/child/entry/thread.cjs', import.meta.url);
      const few = new SpareChildren({ process: entry, thread: entry }, 2);
      const release = few.keep('thread', 5);
      let mostCold = 0;
      try {
        expect(few.count.thread).to.equal(2);
        await waitFor(
          () => {
            mostCold = Math.max(mostCold, few.count.thread - few.warm.thread);
            return few.warm.thread === 5;
          },
          20_000,
          'five warm spares',
        );
        expect(mostCold).to.be.at.most(2);
      } finally {
        await release();
      }
      expect(few.count.thread).to.equal(0);
    });

    it('should keep as many as asked, and give back only those of one holder', async () => {
      const one = spares.keep('thread', 2);
      const two = spares.keep('thread');
      try {
        expect(spares.count.thread).to.equal(3);
        await one();
        expect(spares.count.thread).to.equal(1);
        await one(); // a second call gives nothing back
        expect(spares.count.thread).to.equal(1);
      } finally {
        await one();
        await two();
      }
      expect(spares.count.thread).to.equal(0);
    });
  });

  describe('take()', () => {
    it('should give nothing when no spare is kept (the spawn starts its own child)', async () => {
      const t0 = await mark();
      const proxy = await spawn({ name: 'cold', concurrency: 'thread' });
      try {
        expect(await startedBefore(proxy, t0)).to.equal(false);
      } finally {
        await proxy.stop();
      }
    });

    for (const kind of ['process', 'thread'] as const) {
      it(`should turn a warm ${kind} into the spawned actor, its handshake (and nonce) done`, async () => {
        const release = spares.keep(kind);
        try {
          await waitFor(() => spares.warm[kind] === 1, 20_000, `a warm ${kind} spare`);
          const t0 = await mark();
          const proxy = await spawn({ name: `warm-${kind}`, concurrency: kind, x: 42 });
          try {
            expect(await startedBefore(proxy, t0)).to.equal(true);
            expect(
              await send(proxy, 'run', (actor: { cfg: { x: number } }) => actor.cfg.x),
            ).to.equal(42);
            expect(a().actors).to.have.length(1);
            // Its successor starts once the actor runs.
            await waitFor(() => spares.count[kind] === 1, 20_000, `the next ${kind} spare`);
          } finally {
            await proxy.stop();
          }
          if (kind === 'process') expect(alive(proxy.pid)).to.equal(false);
        } finally {
          await release();
        }
      });
    }

    it("should keep a holder's spares for the spawns it claims", async () => {
      const release = spares.keep('thread', 1, 'pool-x');
      try {
        await waitFor(() => spares.warm.thread === 1, 20_000, 'a warm thread spare');
        const t0 = await mark();
        const other = await spawn({ name: 'other', concurrency: 'thread' });
        const mine = await spares.claim('pool-x', () =>
          spawn({ name: 'mine', concurrency: 'thread' }),
        );
        try {
          expect(await startedBefore(other, t0)).to.equal(false);
          expect(await startedBefore(mine, t0)).to.equal(true);
        } finally {
          await Promise.all([other.stop(), mine.stop()]);
        }
      } finally {
        await release();
      }
    });

    it('should give spares kept once to the holder they are handed to, and not replace them', async () => {
      const release = spares.keep('thread', 1, 'early', true);
      try {
        await waitFor(() => spares.warm.thread === 1, 20_000, 'a warm thread spare');
        spares.hand('thread', 'early', 'pool-y');
        const t0 = await mark();
        const mine = await spares.claim('pool-y', () =>
          spawn({ name: 'handed', concurrency: 'thread' }),
        );
        try {
          expect(await startedBefore(mine, t0)).to.equal(true);
          // Running, it would have a successor by now if it were replaced.
          await sleep(300);
          expect(spares.count.thread).to.equal(0);
        } finally {
          await mine.stop();
        }
      } finally {
        await release();
      }
    });

    it('should start a new child when the environment changed since the spare started', async () => {
      const release = spares.keep('process');
      try {
        await waitFor(() => spares.warm.process === 1, 20_000, 'a warm process spare');
        process.env['RXPULSAR_SPEC_SPARE'] = 'changed';
        const t0 = await mark();
        const proxy = await spawn({ name: 'fresh', concurrency: 'process' });
        try {
          expect(await startedBefore(proxy, t0)).to.equal(false);
          expect(await send(proxy, 'run', () => process.env['RXPULSAR_SPEC_SPARE'])).to.equal(
            'changed',
          );
        } finally {
          await proxy.stop();
        }
      } finally {
        delete process.env['RXPULSAR_SPEC_SPARE'];
        await release();
      }
      expect(spares.count.process).to.equal(0);
    });
  });
});
