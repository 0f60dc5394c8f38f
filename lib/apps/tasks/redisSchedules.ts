/**
 * Periodic jobs on the Redis backend: one BullMQ job scheduler per job
 * (each tick is one job, `repeat:<job>:<ms>`, queued once however many
 * arbiters run), ticks aligned as on the embedded backend, and the
 * `missedTicks` option: a tick missed while nothing ran (the scheduler's
 * pending tick is overdue when an arbiter starts) is queued once, the
 * latest one, or skipped. BullMQ alone would run the oldest missed tick of
 * an `every` job and skip those of a `cron` job.
 * @module
 */
import type { Queue } from 'bullmq';
import { encode } from '../../codec/encode.js';
import type { JobSpec } from './jobSpecs.js';
import { latestTick, nextTick } from './nextTick.js';

/**
 * How late a scheduler's pending tick must be, when an arbiter starts, to
 * count as missed while nothing ran (a running arbiter takes a due tick
 * within milliseconds; a little slack for a busy one).
 */
export const OVERDUE = 2000;

/**
 * Create or update the schedulers of the periodic jobs; queue or skip the
 * ticks missed while no arbiter ran. Call before the queue's Worker starts
 * (it would take an overdue tick at once).
 *
 * @param queue - the BullMQ queue.
 * @param specs - the jobs (only those with `every` or `cron`).
 * @param missed - `'once'`: queue the latest missed tick; `'skip'`: drop them.
 * @param queueTick - queues one missed tick's task under its id.
 * @example
 * ```ts
 * await upsertSchedules(queue, specs, 'once', (spec, id) => backend.queueTask(spec.name, spec.args, { id }));
 * ```
 */
export async function upsertSchedules(
  queue: Queue,
  specs: Iterable<JobSpec>,
  missed: 'once' | 'skip',
  queueTick: (spec: JobSpec, id: string) => Promise<unknown>,
): Promise<void> {
  for (const spec of specs) {
    if (spec.every === undefined && spec.cron === undefined) continue;
    const now = Date.now();
    const pending = (await queue.getJobScheduler(spec.name))?.next;
    if (pending !== undefined && pending < now - OVERDUE) {
      // Nothing ran since that tick: drop BullMQ's pending job (and the
      // scheduler, recreated below from now), then queue the latest missed
      // tick under the id its scheduler would give it (idempotent when
      // several arbiters start together).
      await queue.removeJobScheduler(spec.name);
      if (missed === 'once') {
        await queueTick(spec, `repeat:${spec.name}:${latestTick(spec, pending - 1, now)}`);
      }
    }
    await queue.upsertJobScheduler(
      spec.name,
      spec.every !== undefined
        ? // Aligned on multiples of the period, as the embedded backend's
          // (BullMQ would start a new scheduler at once, unaligned). The
          // next tick is read from the clock again here, not from `now`:
          // the round trips above may pass a tick on a busy machine, and
          // BullMQ takes a start date in the past as "now", unaligned, for
          // good (every later tick keeps that offset).
          { every: spec.every, startDate: nextTick(spec, Date.now()) }
        : { pattern: spec.cron!, tz: 'UTC' },
      { name: spec.name, data: { args: encode(spec.args) } },
    );
  }
}
