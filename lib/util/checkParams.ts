/**
 * Checks of the parameters given in code (`arbiter()`, `spawn()`,
 * `addMonitor()`), with the formats of the configuration files: durations
 * as milliseconds or `"N unit"` up to {@link MAX_TIMER_MS} (about 24.8 days:
 * they end up in Node timers, which fire a longer delay after 1 ms), counts
 * as safe integers >= 0, choices. A bad value fails the call with a
 * `ConfigError` naming the key.
 * @module
 */
import { ConfigError, type ConfigProblem } from '../errors.js';
import { MAX_TIMER_EXPECTED, MAX_TIMER_MS } from './maxTimerMs.js';
import { parseDuration } from './parseDuration.js';

/**
 * What a parameter must be: a duration (`> 0` for `period`; at most
 * {@link MAX_TIMER_MS} either way), a count, or one of some values.
 */
export type ParamFormat = 'duration' | 'positiveDuration' | 'count' | readonly string[];

/**
 * What a count (an integer >= 0 a number holds exactly: `1e20 + 1` is itself)
 * must be, if `value` is none: the one rule of the parameters, the
 * configuration's `count` format and the task options.
 *
 * @param value - what was given.
 * @returns `undefined` for a count, else what it must be.
 * @example
 * ```ts
 * countExpected(1e20); // 'must be at most 9007199254740991'
 * ```
 */
export function countExpected(value: unknown): string | undefined {
  if (!Number.isInteger(value) || (value as number) < 0) return 'must be an integer >= 0';
  if (!Number.isSafeInteger(value)) return `must be at most ${Number.MAX_SAFE_INTEGER}`;
  return undefined;
}

function check(value: unknown, format: ParamFormat): { value: unknown } | { expected: string } {
  if (Array.isArray(format)) {
    return format.includes(value)
      ? { value }
      : { expected: `must be one of ${format.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  if (format === 'count') {
    const expected = countExpected(value);
    return expected === undefined ? { value } : { expected };
  }
  const ms = parseDuration(value);
  if (ms === undefined) {
    return { expected: 'must be a duration: milliseconds or a string such as "30 seconds"' };
  }
  if (format === 'positiveDuration' && ms === 0) return { expected: 'must be a duration above 0' };
  if (ms > MAX_TIMER_MS) return { expected: MAX_TIMER_EXPECTED };
  return { value: ms };
}

/**
 * Check and normalise parameters: each key of `formats` present in
 * `params` (and not `undefined`) is checked; durations become milliseconds.
 * Other keys are kept as they are.
 *
 * @param params - what the call received.
 * @param formats - the format of each checked key.
 * @param origin - the call, for the error (`spawn("w")`, `addMonitor("pool")`).
 * @returns a copy of `params`, durations in milliseconds.
 * @throws ConfigError listing every bad value (`key = value (origin): expected`),
 *   a duration past {@link MAX_TIMER_MS} among them.
 * @example
 * ```ts
 * checkParams({ timeout: '3 seconds' }, { timeout: 'duration' }, 'spawn()'); // { timeout: 3000 }
 * checkParams({ timeout: '30 days' }, { timeout: 'duration' }, 'spawn()'); // throws ConfigError
 * ```
 */
export function checkParams<T extends object>(
  params: T,
  formats: Readonly<Record<string, ParamFormat>>,
  origin: string,
): T {
  const out = { ...params } as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  for (const [key, format] of Object.entries(formats)) {
    const value = out[key];
    if (value === undefined) continue;
    const result = check(value, format);
    if ('value' in result) out[key] = result.value;
    else problems.push({ key, value, source: 'params', origin, expected: result.expected });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as T;
}

/** The formats of an actor's timeouts, shared by `arbiter()`, `spawn()` and `addMonitor()`. */
export const TIMEOUT_FORMATS: Readonly<Record<string, ParamFormat>> = {
  timeout: 'duration',
  requestTimeout: 'duration',
  exitTimeout: 'duration',
};
