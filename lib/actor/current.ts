/**
 * The actor of the current process or thread.
 * @module
 */
import { InvalidStateError } from '../errors.js';
import type { Actor } from './Actor.js';

let current: Actor | undefined;

/**
 * The actor of this process or thread, if there is one.
 *
 * @returns the actor, or `undefined` before one exists.
 * @example
 * ```ts
 * const actor = getActor();
 * if (actor?.isArbiter()) console.log('main process');
 * ```
 */
export function getActor(): Actor | undefined {
  return current;
}

/**
 * The current actor, or an `InvalidStateError` naming what was attempted.
 * @param what - what needed an actor, for the message.
 * @returns the actor.
 */
export function requireActor(what: string): Actor {
  if (current === undefined) {
    throw new InvalidStateError(
      `${what} needs an actor: start the arbiter first (arbiter().start())`,
    );
  }
  return current;
}

/** @param actor - the new current actor (`undefined` once it is closed). */
export function setActor(actor: Actor | undefined): void {
  current = actor;
}
