import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { taskClient, type Task, type TaskClient } from '../../../lib/index.js';
import { OVERDUE } from '../../../lib/apps/tasks/redisSchedules.js';
import { startChildArbiter, stopChildArbiter } from '../../support/childArbiter.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';
import { sleep, waitFor } from '../../support/waiting.js';

const script = new URL('../../fixtures/tasks/ticks-arbiter.js', import.meta.url).pathname;

/** An arbiter of `spec-redis-ticks` (a `tick` job every second) in a child process. */
const startArbiter = (url: string, missed: 'once' | 'skip'): Promise<ChildProcess> =>
  startChildArbiter(script, [url, missed]);

/** The tick a tick task runs for (its id is `repeat:tick:<ms>`). */
const tickOf = (t: Task): number => Number(t.id.split(':').at(-1));

/**
 * The ticks queued on start to catch up: those of the tasks the restarted
 * arbiter queued (`queuedAt` from `restart` on) whose tick came before its
 * first queueing, its start. Every tick of its new scheduler comes after
 * that, even one queued late on a loaded machine (BullMQ queues each one as
 * the one before runs): no catch-up. (Telling them by "queued after its
 * tick" counted such a late one: two catch-ups, on 2 busy cores.)
 */
function caughtUpTicks(tasks: Task[], restart: number): number[] {
  const fresh = tasks.filter((t) => t.queuedAt >= restart);
  const started = Math.min(...fresh.map((t) => t.queuedAt));
  return fresh
    .filter((t) => tickOf(t) <= started)
    .map(tickOf)
    .sort((a, b) => a - b);
}

describe('TaskQueue', () => {
  describe('on Redis, missedTicks', function () {
    this.timeout(90_000);
    let redis: RedisServer;
    let client: TaskClient;
    let child: ChildProcess | undefined;
    const done = new Map<string, Task>();

    before(async () => {
      redis = await startRedis();
      client = await taskClient(redis.url, 'spec-redis-ticks');
      client.task$.subscribe((t) => {
        if (t.name === 'tick' && t.state === 'SUCCESS') done.set(t.id, t);
      });
    });

    after(async () => {
      if (child !== undefined) await stopChildArbiter(child);
      await client.close();
      await redis.close();
    });

    /**
     * Run an arbiter until a tick ran, stop it, leave the queue without
     * any for a few ticks, start one with `missed`, let it tick.
     * @returns the ticks that ran after the stop, and the restart time.
     */
    async function outage(missed: 'once' | 'skip'): Promise<{ after: Task[]; restart: number }> {
      child = await startArbiter(redis.url, missed);
      const before = done.size;
      await waitFor(() => done.size > before, 20_000, 'a tick');
      await stopChildArbiter(child);
      const stopped = Date.now();
      await sleep(OVERDUE + 2500);
      const restart = Date.now();
      child = await startArbiter(redis.url, missed);
      await waitFor(
        () => [...done.values()].some((t) => tickOf(t) > restart),
        20_000,
        'a tick after the restart',
      );
      await stopChildArbiter(child);
      child = undefined;
      return { after: [...done.values()].filter((t) => tickOf(t) > stopped), restart };
    }

    it("should queue the latest tick missed while nothing ran once, with 'once'", async () => {
      const { after, restart } = await outage('once');
      const caughtUp = caughtUpTicks(after, restart);
      expect(caughtUp).to.have.lengthOf(1);
      expect(caughtUp[0]).to.be.above(restart - 1000);
      // No other missed tick ran (the outage spans several).
      expect(after.filter((t) => tickOf(t) < restart - 1000)).to.deep.equal([]);
    });

    it("should skip the ticks missed while nothing ran, with 'skip'", async () => {
      const { after, restart } = await outage('skip');
      expect(caughtUpTicks(after, restart)).to.deep.equal([]);
      expect(after.filter((t) => tickOf(t) < restart)).to.deep.equal([]);
    });
  });
});
