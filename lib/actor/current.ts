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

/** What a spawned actor was started with, known before its behaviour module loads. */
export interface SpawnContext {
  aid: string;
  name: string;
  /** The actor's timeouts and free-form parameters. */
  cfg: Record<string, unknown>;
}

let spawnContext: SpawnContext | undefined;

/**
 * In a spawned actor, what it was started with; available while its
 * behaviour module is imported (before the actor exists), so that an
 * application module imported again in a worker knows it is a worker.
 *
 * @returns the context, or `undefined` in the arbiter's process.
 */
export function getSpawnContext(): SpawnContext | undefined {
  return spawnContext;
}

/** @param context - set by the child entry before it loads the behaviour. */
export function setSpawnContext(context: SpawnContext): void {
  spawnContext = context;
}
