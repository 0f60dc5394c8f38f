/**
 * BullMQ's baseline in worker processes: one `bullmq-worker.js` process per
 * worker of ours, for the task-queue scenarios.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { endChild, fixture } from './fixture.js';

/**
 * Start `workers` BullMQ Worker processes on `queue`, each with
 * `concurrency` slots (a 30 s lock); resolves once each is ready. If one
 * fails to start, those started are ended.
 *
 * @param port - the redis-server's port.
 * @param queue - the BullMQ queue's name.
 * @param workers - how many processes.
 * @param concurrency - each one's concurrency.
 * @returns the processes (end them with `endChild`).
 * @example
 * ```ts
 * const children = await bullProcesses(redis.port, 'bench-bullp-4', 4, 16);
 * await Promise.all(children.map((child) => endChild(child)));
 * ```
 */
export async function bullProcesses(
  port: number,
  queue: string,
  workers: number,
  concurrency: number,
): Promise<ChildProcess[]> {
  const script = fixture('bullmq-worker');
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [...process.execArgv, script, String(port), queue, '30000', String(concurrency)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.stdout.once('data', () => resolve());
            child.once('exit', (code) => reject(new Error(`bullmq-worker exited (${code})`)));
          }),
      ),
    );
  } catch (err) {
    // One failed to start: the others are nobody's to end otherwise.
    await Promise.all(children.map((child) => endChild(child)));
    throw err;
  }
  return children;
}
