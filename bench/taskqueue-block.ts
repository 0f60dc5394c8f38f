/**
 * Scenario `taskqueue-block` (not part of `npm test`; about a minute): one
 * job that holds its worker's CPU for 60 s (`TQ_BLOCK` ms), on the embedded
 * backend and on the Redis backend at once, with the default settings
 * (heartbeat deadline `timeout` 10 min, Redis lease 30 s: BullMQ alone
 * would see the job stalled after 30 s and run it again). Each row: the
 * job's run time; its note says how many times it started, its attempts
 * and whether the next task ran on the same worker (not killed).
 * @module
 */
import { join } from 'node:path';
import type { Task, TaskQueue } from '../lib/index.js';
import { apps } from './fixtures/taskqueue-apps.js';
import type { Row, Scenario } from './support/Row.js';
import { withRedisBench } from './support/withRedisBench.js';

const BLOCK = Number(process.env['TQ_BLOCK'] ?? 60_000);

async function blockOnce(app: TaskQueue): Promise<Row> {
  const seen: Task[] = [];
  const t0 = performance.now();
  const task = await app.queueTask('block', [BLOCK]);
  const sub = app.task$.subscribe((t) => {
    if (t.id === task.id) seen.push(t);
  });
  try {
    const done = await app.waitForTask(task.id);
    const ms = performance.now() - t0;
    const result = done.result as { pid: number; attempts: number } | undefined;
    const pids = new Set(seen.map((t) => t.progress).filter((p) => p !== undefined));
    const starts = pids.size;
    // `hold` says which worker ran it: the same one, if it was not killed.
    const again = (await app.waitForTask((await app.queueTask('hold', [0])).id)).result;
    const ok =
      done.state === 'SUCCESS' && done.attempts === 1 && starts <= 1 && again === result?.pid;
    return {
      scenario: `taskqueue-block ${BLOCK / 1000} s CPU-bound job: ${app.name}`,
      rxpulsar: ms,
      baseline: BLOCK,
      unit: 'ms',
      ratio: ms / BLOCK,
      target: 'runs once',
      pass: ok,
      note: `${done.state}, attempts ${done.attempts}, started on ${starts} worker(s), next task on the same worker: ${again === result?.pid}`,
    };
  } finally {
    sub.unsubscribe();
  }
}

export const scenario: Scenario = {
  name: 'taskqueue-block',
  run(): Promise<Row[]> {
    return withRedisBench('tqb', async ({ redis, dir }) => {
      const emb = apps['block-embedded'];
      const red = apps['block-redis'];
      (emb.params as Record<string, unknown>)['dataDir'] = join(dir, 'e');
      (red.params as Record<string, unknown>)['dataDir'] = join(dir, 'r');
      (red.params as Record<string, unknown>)['taskBackend'] = redis.url;
      await emb.start();
      await red.start();
      try {
        return await Promise.all([blockOnce(emb), blockOnce(red)]);
      } finally {
        await emb.stop();
        await red.stop();
      }
    });
  },
};
