/**
 * The longest delay a Node timer keeps, alone in its module so that the
 * lowest layers (the parameter checks, the config formats, the IOLoop's
 * timers) share it.
 * @module
 */

/**
 * The longest delay Node's `setTimeout` and `setInterval` keep, in
 * milliseconds: 2^31 - 1 (about 24.8 days). Node turns a longer delay into
 * 1 ms (with a `TimeoutOverflowWarning`): a 30-day timeout would fire at
 * once. Duration settings and parameters are refused past it; the IOLoop's
 * own timeouts wait longer by re-arming.
 *
 * @example
 * ```ts
 * if (ms > MAX_TIMER_MS) throw new RangeError(MAX_TIMER_EXPECTED);
 * ```
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What a duration past {@link MAX_TIMER_MS} is told, as the configuration
 * errors say it: `must be at most 24.8 days (2147483647 ms, the longest
 * timer Node keeps)`.
 *
 * @example
 * ```ts
 * problems.push({ key, value, source, origin, expected: MAX_TIMER_EXPECTED });
 * ```
 */
export const MAX_TIMER_EXPECTED = `must be at most ${Math.floor(MAX_TIMER_MS / 8_640_000) / 10} days (${MAX_TIMER_MS} ms, the longest timer Node keeps)`;
