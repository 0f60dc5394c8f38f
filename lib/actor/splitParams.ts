/**
 * Sorting spawn parameters into hooks, commands, timeouts and free-form.
 * @module
 */
import type { Actor } from './Actor.js';
import {
  DEFAULT_TIMEOUTS,
  type ActorHooks,
  type ActorTimeouts,
  type CommandHandler,
} from './types.js';

const HOOK_NAMES = new Set(['start', 'stopping', 'periodicTask', 'onInfo', 'onParams']);
const RESERVED = new Set(['name', 'aid', 'concurrency', 'module', 'commands']);

/** Spawn parameters, sorted. */
export interface SplitParams {
  hooks: ActorHooks<Actor>;
  commands: Record<string, CommandHandler>;
  timeouts: Partial<ActorTimeouts>;
  free: Record<string, unknown>;
}

/**
 * Sort parameters: hook functions, `commands`, the timeouts, and the rest
 * (free-form, found in `actor.cfg`). Identity keys are dropped.
 *
 * @param params - spawn or arbiter parameters.
 * @returns the four groups.
 * @example
 * ```ts
 * splitParams({ name: 'w', start: fn, timeout: 100, color: 'red' });
 * // { hooks: { start: fn }, commands: {}, timeouts: { timeout: 100 }, free: { color: 'red' } }
 * ```
 */
export function splitParams(params: Record<string, unknown>): SplitParams {
  const split: SplitParams = { hooks: {}, commands: {}, timeouts: {}, free: {} };
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || RESERVED.has(key)) continue;
    if (HOOK_NAMES.has(key) && typeof value === 'function') {
      (split.hooks as Record<string, unknown>)[key] = value;
    } else if (key in DEFAULT_TIMEOUTS) {
      (split.timeouts as Record<string, unknown>)[key] = value;
    } else {
      split.free[key] = value;
    }
  }
  const commands = params['commands'];
  if (typeof commands === 'object' && commands !== null) {
    split.commands = commands as Record<string, CommandHandler>;
  }
  return split;
}
