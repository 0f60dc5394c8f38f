/**
 * The contenders of the `taskqueue` scenario: how each adds tasks, waits
 * for them and counts them, and one processing round.
 * @module
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { TaskQueue } from '../../lib/index.js';
import { sleep } from './stats.js';
import { treeCpuByPid, treeCpuMs } from './treeCpu.js';

/** How one contender adds, waits and counts. */
export interface Contender {
  add(): Promise<unknown>;
  /** Embedded: an add that does not wait for its fdatasync (`durable: false`). */
  addFast?(): Promise<unknown>;
  addMany(n: number): Promise<unknown>;
  /** Completed tasks so far. */
  completed(): Promise<number>;
  roundTrip(): Promise<unknown>;
}

/**
 * Poll `check` every 10 ms until it holds (or throw after `ms`).
 * @example
 * ```ts
 * await until(async () => (await c.completed()) >= n, 'round processed');
 * ```
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 120_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`taskqueue: ${what} not within ${ms} ms`);
    await sleep(10);
  }
}

/**
 * Our app as a contender (`bull`: the BullMQ queue of a Redis-backed app, to count its tasks).
 * @example
 * ```ts
 * const red = ours(app, new Queue(app.name, { prefix: 'rxp', connection }));
 * ```
 */
export function ours(app: TaskQueue, bull: Queue | undefined): Contender {
  return {
    add: () => Promise.resolve(app.queueTask('noop')),
    ...(bull === undefined && {
      addFast: () => Promise.resolve(app.queueTask('noop', [], { durable: false })),
    }),
    addMany: (n) => Promise.all(Array.from({ length: n }, () => app.queueTask('noop'))),
    completed: async () =>
      bull === undefined
        ? (app.backend?.counts()['SUCCESS'] ?? 0)
        : ((await bull.getJobCounts('completed'))['completed'] ?? 0),
    roundTrip: async () => app.waitForTask((await app.queueTask('noop')).id),
  };
}

/** `TQ_TRACE=1`: each processing round's rate and CPU (all processes) on stderr. */
const TRACE = process.env['TQ_TRACE'] === '1';

/**
 * One processing round: `n` tasks added at once, until all are done; tasks/s.
 * @example
 * ```ts
 * const rate = await processRound(2000, bullContender(queue), 'bull');
 * ```
 */
export async function processRound(n: number, c: Contender, who = ''): Promise<number> {
  const base = await c.completed();
  const cpu = TRACE ? treeCpuMs() : 0;
  const byPid = TRACE ? treeCpuByPid() : new Map<number, number>();
  const t = performance.now();
  await c.addMany(n);
  await until(async () => (await c.completed()) >= base + n, 'round processed');
  const rate = n / ((performance.now() - t) / 1000);
  if (TRACE) {
    const perK = ((treeCpuMs() - cpu) * 1000) / n;
    // Where it went: this process (the bench, with our arbiters), then each child.
    const per = [...treeCpuByPid()]
      .map(([pid, ms]) => [pid, ((ms - (byPid.get(pid) ?? ms)) * 1000) / n] as const)
      .filter(([, ms]) => ms >= 5)
      .map(([pid, ms]) => `${pid === process.pid ? 'bench' : pid} ${ms.toFixed(0)}`);
    process.stderr.write(
      `\n  ${who}: ${rate.toFixed(0)} tasks/s, ${perK.toFixed(0)} cpu ms/1000 (${per.join(', ')})`,
    );
  }
  return rate;
}

/**
 * BullMQ alone as a contender (`events`: for its round trips).
 * @example
 * ```ts
 * const bull = bullContender(queue, events);
 * ```
 */
export function bullContender(queue: Queue, events?: QueueEvents): Contender {
  return {
    add: () => queue.add('noop', {}),
    addMany: (n) => queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data: {} }))),
    completed: async () => (await queue.getJobCounts('completed'))['completed'] ?? 0,
    roundTrip: async () =>
      events === undefined
        ? Promise.reject(new Error('no events to wait with'))
        : ((await queue.add('noop', {})).waitUntilFinished(events) as Promise<unknown>),
  };
}
