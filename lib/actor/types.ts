/**
 * Types shared by actors, proxies and the arbiter.
 * @module
 */
import type { Actor } from './Actor.js';

/** The life of an actor, in order. `terminated` means it was killed. */
export type ActorState = 'initial' | 'starting' | 'running' | 'stopping' | 'closed' | 'terminated';

/** Anything `send()` accepts as a target: an aid, a name, or an object with an `aid`. */
export type Target =
  | string
  | {
      /** The aid of the target actor. */
      readonly aid: string;
    };

/** What an actor runs as. */
export type Concurrency = 'arbiter' | 'monitor' | 'process' | 'thread';

/** A remote command: receives the actor, then the caller's arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandHandler<A = Actor> = (actor: A, ...args: any[]) => unknown;

/** Options of a command. */
export interface CommandOptions {
  /** `false`: the caller expects no reply (default `true`). */
  ack?: boolean;
}

/**
 * Lifecycle hooks. Given as functions in spawn parameters they travel by
 * source, so they must be self-contained; code with imports travels as a
 * `module` path whose exports are the hooks (and `commands`).
 */
export interface ActorHooks<A = unknown> {
  /** Runs when the actor starts; a throw fails the spawn with that error. */
  start?: (actor: A) => unknown;
  /** Runs when the actor begins to stop; awaited before it closes. */
  stopping?: (actor: A) => unknown;
  /** Runs on every periodic task tick. */
  periodicTask?: (actor: A) => unknown;
  /** May add keys to the actor's `info()`. */
  onInfo?: (actor: A, info: Record<string, unknown>) => unknown;
  /** May add keys to the parameters of actors this one spawns. */
  onParams?: (actor: A, params: Record<string, unknown>) => unknown;
}

/** Timing settings of an actor, in milliseconds. */
export interface ActorTimeouts {
  /** Handshake deadline after spawn, and heartbeat deadline (default 30 s). */
  timeout: number;
  /** Deadline of every request this actor sends (default 30 s). */
  requestTimeout: number;
  /** How long a graceful stop may take before it is forced (default 5 s). */
  exitTimeout: number;
}

/** The defaults of {@link ActorTimeouts}. */
export const DEFAULT_TIMEOUTS: Readonly<ActorTimeouts> = Object.freeze({
  timeout: 30_000,
  requestTimeout: 30_000,
  exitTimeout: 5_000,
});

/** A duration as parameters take it: milliseconds, or a string such as `"30 seconds"` or `"1.5 s"`. */
export type Duration = number | string;

/** {@link ActorTimeouts} as parameters take them: durations (made milliseconds). */
export type TimeoutParams = { [K in keyof ActorTimeouts]?: Duration };

/** Parameters of `spawn()`. Keys not listed here are free-form user params, found in `actor.cfg`. */
export interface SpawnParams extends ActorHooks<Actor>, TimeoutParams {
  /** The actor's name (default `actor`). */
  name?: string;
  /** Its aid (default: a new random one). */
  aid?: string;
  /** `process` (default) or `thread`. */
  concurrency?: 'process' | 'thread';
  /** Path or URL of a module exporting hooks and `commands`. Relative to the current directory. */
  module?: string | URL;
  /** Commands to register on the actor, by name. */
  commands?: Record<string, CommandHandler>;
  /** Free-form parameters. */
  [key: string]: unknown;
}
