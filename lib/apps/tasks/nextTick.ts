/**
 * When a periodic job ticks next. `every` ticks are aligned on multiples of
 * the period since the epoch, so every arbiter computes the same ticks;
 * `cron` ticks come from cron-parser (loaded on first use, in UTC).
 * @module
 */
import { createRequire } from 'node:module';
import { TaskOptionError } from '../../errors.js';

interface CronParser {
  CronExpressionParser: {
    parse(
      expr: string,
      options?: { currentDate?: Date; tz?: string },
    ): { next(): { getTime(): number } };
  };
}

let parser: CronParser | undefined;

function cronParser(): CronParser {
  parser ??= createRequire(import.meta.url)('cron-parser') as CronParser;
  return parser;
}

/**
 * Check a cron expression.
 * @param expr - the expression.
 * @param job - the job's name, for the error.
 * @throws TaskOptionError when cron-parser refuses it.
 */
export function checkCron(expr: unknown, job: string): void {
  try {
    if (typeof expr !== 'string') throw new TaskOptionError('not a string');
    cronParser().CronExpressionParser.parse(expr);
  } catch (err) {
    throw new TaskOptionError(
      `job "${job}": cron = ${JSON.stringify(expr)} is not a cron expression (${(err as Error).message})`,
    );
  }
}

/**
 * The first tick of a periodic job strictly after `after`.
 *
 * @param schedule - `every` (ms) or `cron`.
 * @param after - ms since the epoch.
 * @returns the tick's time, ms since the epoch.
 * @example
 * ```ts
 * nextTick({ every: 60_000 }, Date.UTC(2026, 0, 1, 0, 0, 30)); // Date.UTC(2026, 0, 1, 0, 1)
 * ```
 */
export function nextTick(schedule: { every?: number; cron?: string }, after: number): number {
  if (schedule.every !== undefined) {
    return (Math.floor(after / schedule.every) + 1) * schedule.every;
  }
  if (schedule.cron === undefined) throw new TaskOptionError('a periodic job needs every or cron');
  const it = cronParser().CronExpressionParser.parse(schedule.cron, {
    currentDate: new Date(after),
    tz: 'UTC',
  });
  return it.next().getTime();
}

/**
 * The last tick of a periodic job at or before `now`, after `after`.
 * @param schedule - `every` (ms) or `cron`.
 * @param after - a time (ms): the tick is strictly after it.
 * @param now - the time (ms) not to pass.
 * @returns the tick (the first after `after` if none is due by `now`).
 * @example
 * ```ts
 * latestTick({ every: 60_000 }, 0, 150_000); // 120000
 * ```
 */
export function latestTick(
  schedule: { every?: number; cron?: string },
  after: number,
  now: number,
): number {
  if (schedule.every !== undefined) {
    return Math.max(nextTick(schedule, after), Math.floor(now / schedule.every) * schedule.every);
  }
  let t = nextTick(schedule, after);
  for (let i = 0; i < 100_000; i++) {
    const n = nextTick(schedule, t);
    if (n > now) break;
    t = n;
  }
  return t;
}
