/**
 * Small statistics and timing helpers.
 * @module
 */

/**
 * The median of some numbers (the mean of the middle two for an even count).
 *
 * @param values - at least one number.
 * @returns the median.
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((x, y) => x - y);
  if (sorted.length === 0) throw new RangeError('median of nothing');
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/**
 * Milliseconds elapsed since `start` (from `process.hrtime.bigint()`).
 *
 * @param start - an earlier `process.hrtime.bigint()`.
 * @returns elapsed milliseconds.
 */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Time an async operation.
 *
 * @param fn - the operation.
 * @returns its duration in milliseconds.
 * @example
 * ```ts
 * const ms = await timeMs(() => spawn({ concurrency: 'thread' }).then((p) => (proxy = p)));
 * ```
 */
export async function timeMs(fn: () => PromiseLike<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return msSince(start);
}

/** @param ms - how long to wait. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bytes to mebibytes. */
export const MB = (bytes: number): number => bytes / (1024 * 1024);
