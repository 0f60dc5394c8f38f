/**
 * What a monitor needs of the actor that supervises it (the arbiter), and
 * nothing more: spawn and stop workers, deliver its envelopes, hear of
 * exits, give up. The arbiter implements it; a monitor never sees the rest
 * of the arbiter, so `monitor/` stays below `arbiter/`.
 * @module
 */
import type { Observable } from '../rx.js';
import type { ActorProxyDeferred } from '../actor/ActorProxy.js';
import type { ActorExit } from '../actor/ArbiterEvents.js';
import type { SpawnParams } from '../actor/types.js';
import type { IOLoop } from '../eventloop/IOLoop.js';
import type { Envelope } from '../transport/protocol.js';

/**
 * The supervisor of a monitor.
 *
 * @example
 * ```ts
 * import type { Supervisor } from 'rxpulsar';
 * function workersOf(supervisor: Supervisor): void {
 *   supervisor.events.actorExited$.subscribe((exit) => console.log(exit.aid, 'exited'));
 * }
 * ```
 */
export interface Supervisor {
  /** The event loop the monitor shares (the arbiter's). */
  readonly loop: IOLoop;
  /** Exits of every spawned actor. */
  readonly events: {
    /** Fires once for every spawned actor that exited. */
    readonly actorExited$: Observable<ActorExit>;
  };
  /**
   * Spawn a worker.
   * @param params - its spawn parameters.
   * @param options - `standby: true`: a standby of the pool, hidden (no
   *   `actorSpawned$`, not found by name) until {@link adoptStandby}.
   * @returns the Deferred of its proxy.
   */
  spawn(params: SpawnParams, options?: { standby?: boolean }): ActorProxyDeferred;
  /**
   * Make a ready standby an actor like any other (announced now). Without
   * it, a pool keeps no standby.
   * @param aid - the standby's aid.
   * @returns `true` when it was a ready standby, alive and not being stopped (else the pool stops it and spawns afresh).
   */
  adoptStandby?(aid: string): boolean;
  /**
   * Stop a worker gracefully (SIGKILL past its `exitTimeout`).
   * @param aid - the worker's aid.
   * @returns `true` once it exited, `false` when there was no such actor.
   */
  stopActor(aid: string): Promise<boolean>;
  /**
   * @param to - an aid or a name.
   * @returns the aid it stands for, or `to` when nobody answers to it.
   */
  resolveName(to: string): string;
  /**
   * Deliver an envelope written by the monitor.
   * @param env - the envelope, its target already resolved.
   */
  deliverFor(env: Envelope): void;
  /**
   * Give up: the monitor is past its restart limit with `onRestartLimit: 'escalate'`.
   * @param monitor - the monitor's name.
   * @param reason - why its breaker opened.
   */
  escalate(monitor: string, reason: string): void;
}
