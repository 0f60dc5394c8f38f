/**
 * Sorting spawn parameters into hooks, commands, timeouts and free-form.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';
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

/** What a value is, for an error message: `a string`, `null`, `an object`… */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * Sort parameters: hook functions, `commands`, the timeouts, and the rest
 * (free-form, found in `actor.cfg`). Identity keys are dropped.
 *
 * @param params - spawn or arbiter parameters.
 * @returns the four groups.
 * @throws ImproperlyConfiguredError for a hook or a command that is not a
 *   function (a typo that would else be a setting no one reads), or
 *   `commands` that are not an object of functions.
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
    if (HOOK_NAMES.has(key)) {
      if (typeof value !== 'function') {
        throw new ImproperlyConfiguredError(
          `the ${key} hook must be a function, not ${kindOf(value)}`,
        );
      }
      (split.hooks as Record<string, unknown>)[key] = value;
    } else if (key in DEFAULT_TIMEOUTS) {
      (split.timeouts as Record<string, unknown>)[key] = value;
    } else {
      split.free[key] = value;
    }
  }
  const commands = params['commands'];
  if (commands === undefined) return split;
  if (typeof commands !== 'object' || commands === null || Array.isArray(commands)) {
    throw new ImproperlyConfiguredError(
      `commands must be an object of functions, not ${Array.isArray(commands) ? 'an array' : kindOf(commands)}`,
    );
  }
  for (const [name, handler] of Object.entries(commands)) {
    if (typeof handler !== 'function') {
      throw new ImproperlyConfiguredError(
        `command "${name}" must be a function, not ${kindOf(handler)}`,
      );
    }
  }
  split.commands = commands as Record<string, CommandHandler>;
  return split;
}
