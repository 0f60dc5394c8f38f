import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { arbiter, type Arbiter, type Task, type TaskQueue } from '../../../lib/index.js';
import { heartbeatPeriod } from '../../../lib/child/ChildActor.js';
import { blockQueue, dataDir, redisBlockQueue } from '../../fixtures/tasks/app.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';
import { within } from '../../support/waiting.js';

/** How long the job holds its worker's CPU. */
const BLOCK = 4000;

/**
 * Queue a job that holds its worker's CPU for BLOCK ms: every change of
 * the task, its result, and the pid of the worker that runs a task next.
 */
async function runBlocking(app: TaskQueue): Promise<{ seen: Task[]; done: Task; after: number }> {
  const seen: Task[] = [];
  const task = await app.queueTask('blockPid', [BLOCK]);
  const sub = app.task$.subscribe((t) => {
    if (t.id === task.id) seen.push(t);
  });
  try {
    const done = await within(app.waitForTask(task.id), 60_000, 'the blocking task');
    const after = (await app.waitForTask((await app.queueTask('pid')).id)).result as number;
    return { seen, done, after };
  } finally {
    sub.unsubscribe();
  }
}

describe('TaskQueue', () => {
  describe('a job that holds the CPU', function () {
    this.timeout(90_000);
    let a: Arbiter;
    let redis: RedisServer;

    before(async () => {
      redis = await startRedis();
      (redisBlockQueue.params as Record<string, unknown>)['taskBackend'] = redis.url;
      a = arbiter({ signals: false });
      await blockQueue.start();
      await redisBlockQueue.start();
    });

    after(async () => {
      await blockQueue.stop();
      await redisBlockQueue.stop();
      await a?.stop();
      await redis?.close();
      rmSync(dataDir(blockQueue.name), { recursive: true, force: true });
    });

    it('should outlast its worker heartbeats and the Redis lease (the settings of this spec)', () => {
      for (const app of [blockQueue, redisBlockQueue]) {
        expect(app.cfg['timeout']).to.equal(10_000);
        expect(BLOCK).to.be.above(heartbeatPeriod(app.cfg['timeout']));
      }
      expect(BLOCK).to.be.at.least(4 * (redisBlockQueue.cfg['taskLease'] as number));
    });

    for (const [backend, app] of [
      ['embedded', blockQueue],
      ['Redis', redisBlockQueue],
    ] as const) {
      it(`should run it once, on the same worker, on the ${backend} backend`, async () => {
        const { seen, done, after } = await runBlocking(app);
        const result = done.result as { pid: number; attempts: number };
        expect(done).to.include({ state: 'SUCCESS', attempts: 1 });
        expect(result.attempts).to.equal(1);
        // Not killed: the next task runs on the same worker process.
        expect(after).to.equal(result.pid);
        // Not run twice: one start, never put back.
        const pids = new Set(seen.map((t) => (t.progress as { pid?: number } | undefined)?.pid));
        pids.delete(undefined);
        expect([...pids]).to.deep.equal([result.pid]);
        expect(seen.filter((t) => t.state === 'PENDING' && t.attempts > 0)).to.deep.equal([]);
        expect(seen.some((t) => t.state === 'RETRY')).to.equal(false);
      });
    }
  });
});
