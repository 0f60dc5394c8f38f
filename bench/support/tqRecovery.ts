/**
 * Recovery after a SIGKILL, for the `taskqueue` scenario: a worker of ours
 * killed mid-task, and a BullMQ Worker process killed mid-job.
 * @module
 */
import { spawn } from 'node:child_process';
import type { Task, TaskQueue } from '../../lib/index.js';
import { fixture } from './fixture.js';
import { until } from './tqContenders.js';

/** BullMQ's lock duration and stalled interval in the recovery round, ms. */
export const BULL_LEASE = 5000;

/**
 * Time from SIGKILL of the worker running a task until the task runs again
 * (the app's jobs have `hold(ms)`, which reports its worker's pid as progress).
 * @example
 * ```ts
 * const ms = await recoverOurs(app);
 * ```
 */
export async function recoverOurs(app: TaskQueue): Promise<number> {
  const seen: Task[] = [];
  const sub = app.task$.subscribe((t) => seen.push(t));
  try {
    const task = await app.queueTask('hold', [20_000]);
    const pidOf = (t: Task): number | undefined =>
      t.id === task.id ? (t.progress as number | undefined) : undefined;
    await until(() => seen.some((t) => pidOf(t) !== undefined), 'hold started');
    const pid = seen.map(pidOf).find((p) => p !== undefined)!;
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    await until(
      () => seen.some((t) => pidOf(t) !== undefined && pidOf(t) !== pid),
      'hold again',
      60_000,
    );
    const ms = performance.now() - t0;
    await app.revokeTask(task.id);
    return ms;
  } finally {
    sub.unsubscribe();
  }
}

/**
 * BullMQ alone: a Worker process killed mid-job, until another Worker runs
 * the job (after its stalled interval, {@link BULL_LEASE}).
 * @example
 * ```ts
 * const ms = await recoverBull(bullmq, connection, redis.port);
 * ```
 */
export async function recoverBull(
  bullmq: typeof import('bullmq'),
  connection: { host: string; port: number; maxRetriesPerRequest: null },
  port: number,
): Promise<number> {
  const name = 'bench-bull-recovery';
  const queue = new bullmq.Queue(name, { connection });
  const events = new bullmq.QueueEvents(name, { connection });
  await events.waitUntilReady();
  const script = fixture('bullmq-worker');
  const child = spawn(process.execPath, [script, String(port), name, String(BULL_LEASE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let rescuer: import('bullmq').Worker | undefined;
  try {
    // A worker that dies before it is ready fails the round (it waited forever).
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bullmq-worker exited (${code})`)));
    });
    const active: number[] = [];
    events.on('active', () => active.push(performance.now()));
    const job = await queue.add('hold', { ms: 1000 });
    await until(() => active.length > 0, 'bull job active');
    const t0 = performance.now();
    child.kill('SIGKILL');
    rescuer = new bullmq.Worker(name, () => Promise.resolve(1), {
      connection,
      lockDuration: BULL_LEASE,
      stalledInterval: BULL_LEASE,
    });
    await until(() => active.length > 1, 'bull job active again', 120_000);
    const ms = (active[1] ?? NaN) - t0;
    await job.waitUntilFinished(events);
    return ms;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rescuer?.close();
    await events.close();
    await queue.close();
  }
}
