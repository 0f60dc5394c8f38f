/**
 * An actor to evaluate shell lines in, for the specs of `shellEval` and of
 * what `rxpulsar shell` sends it: of the arbiter's kind, not started.
 * @module
 */
import { Actor, DEFAULT_TIMEOUTS } from '../../lib/index.js';

/** @returns a fresh actor `shelled` (aid `a1`), its shell context not made yet. */
export function shellActor(): Actor {
  return new Actor({
    aid: 'a1',
    name: 'shelled',
    concurrency: 'arbiter',
    cfg: { ...DEFAULT_TIMEOUTS },
  });
}
