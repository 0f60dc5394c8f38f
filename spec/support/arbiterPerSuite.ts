/**
 * The arbiter of a describe block: started before its tests, stopped after.
 * @module
 */
import { arbiter, type Arbiter, type ArbiterOptions } from '../../lib/index.js';

/**
 * Call inside a `describe`: its `before` starts an arbiter, its `after`
 * stops it.
 * @param options - the arbiter's options (default: no signal handlers, no control socket).
 * @returns the arbiter, once the `before` hook ran.
 */
export function arbiterPerSuite(
  options: ArbiterOptions = { signals: false, control: false },
): () => Arbiter {
  let a: Arbiter | undefined;
  before(async () => {
    a = arbiter(options);
    await a.start();
  });
  after(async () => {
    await a?.stop();
  });
  return () => a!;
}
