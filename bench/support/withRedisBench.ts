/**
 * The frame of the task-queue scenarios: a redis-server started for the
 * run, a temp data folder, BullMQ loaded, the arbiter of this process
 * started; all of it stopped and removed on every path.
 * @module
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '../../spec/support/redisServer.js';
import { withArbiter } from './withArbiter.js';

/** What a task-queue scenario gets. */
export interface RedisBench {
  redis: RedisServer;
  /** A folder for the embedded queues' data (removed afterwards). */
  dir: string;
  bullmq: typeof import('bullmq');
  /** BullMQ's connection options for this redis-server. */
  connection: { host: string; port: number; maxRetriesPerRequest: null };
}

/**
 * @param tag - names the data folder.
 * @param body - the scenario.
 * @returns what `body` returns.
 * @example
 * ```ts
 * const rows = await withRedisBench('tq', async ({ redis, dir }) => measure(redis.url, dir));
 * ```
 */
export async function withRedisBench<T>(
  tag: string,
  body: (bench: RedisBench) => Promise<T>,
): Promise<T> {
  const redis = await startRedis();
  const dir = join(tmpdir(), `rxp-bench-${tag}-${process.pid}`);
  try {
    const bullmq = await import('bullmq');
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    return await withArbiter(() => body({ redis, dir, bullmq, connection }));
  } finally {
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
