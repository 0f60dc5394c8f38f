/**
 * Run a scenario body inside a started arbiter, stopped on every path.
 * @module
 */
import { arbiter, type Arbiter } from '../../lib/index.js';

/**
 * Start the arbiter of this process, run `body`, stop the arbiter (which
 * stops any actor still alive and removes the hub's runtime folder).
 *
 * @param body - receives the running arbiter.
 * @returns what `body` returns.
 * @example
 * ```ts
 * const rows = await withArbiter(async () => measure());
 * ```
 */
export async function withArbiter<T>(body: (a: Arbiter) => Promise<T>): Promise<T> {
  const a = arbiter();
  await a.start();
  try {
    return await body(a);
  } finally {
    await a.stop();
  }
}
