/**
 * Durations as convict's `duration` format understands them: a number of
 * milliseconds, or a string `"<number> <unit>"` such as `"30 seconds"` or
 * `"1.5 s"`.
 * @module
 */

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

const PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i;

/**
 * Parse a duration into milliseconds.
 *
 * Accepted: a finite number >= 0 (milliseconds); a string of digits
 * (milliseconds, as environment variables and flags give them); a string
 * `"N unit"`, the number possibly decimal, the space optional, the unit one
 * of `ms`, `millisecond(s)`, `s`, `second(s)`, `m`, `minute(s)`, `h`,
 * `hour(s)`, `d`, `day(s)` (any case). Strings are rounded to the nearest
 * millisecond. There is no upper bound here: the `duration` setting format
 * and `checkParams` refuse what is past `MAX_TIMER_MS` (about 24.8 days).
 *
 * @param value - what the configuration holds.
 * @returns the milliseconds, or `undefined` if `value` is not a duration.
 * @example
 * ```ts
 * parseDuration('30 seconds'); // 30000
 * parseDuration('1.5 s'); // 1500
 * parseDuration(250); // 250
 * parseDuration('soon'); // undefined
 * ```
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2] === undefined || match[2] === '' ? 'ms' : match[2].toLowerCase();
  const factor = UNITS[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}
