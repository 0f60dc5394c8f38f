/**
 * The arbiter's event streams: those of every actor, plus spawns and exits.
 * @module
 */
import { Subject, type Observable } from '../rx.js';
import { ActorEvents } from './ActorEvents.js';
import type { ActorProxy } from './ActorProxy.js';

/** An actor's exit, as `actorExited$` reports it. */
export interface ActorExit {
  /** The aid of the actor that exited. */
  aid: string;
  /** Its name. */
  name: string;
  /** Whether it was a process or a thread. */
  concurrency: 'process' | 'thread';
  /** Exit code, or `null` when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, or `null`. */
  signal: NodeJS.Signals | null;
  /** Its proxy. */
  proxy: ActorProxy;
}

/** A monitor past its restart limit with `onRestartLimit: 'escalate'`, as `escalated$` reports it. */
export interface Escalation {
  /** The monitor's name. */
  monitor: string;
  /** Why its breaker opened. */
  reason: string;
}

/**
 * Streams of the arbiter.
 *
 * @example
 * ```ts
 * a.events.actorExited$.subscribe((e) => console.log(e.aid, e.exitCode));
 * ```
 */
export class ArbiterEvents<A> extends ActorEvents<A> {
  /** @internal */ readonly _actorSpawned = new Subject<ActorProxy>();
  /** @internal */ readonly _actorExited = new Subject<ActorExit>();
  /** @internal */ readonly _escalated = new Subject<Escalation>();
  /** Emits the proxy of every actor that completed its handshake. */
  readonly actorSpawned$: Observable<ActorProxy> = this._actorSpawned.asObservable();
  /** Emits every exit of a spawned actor, whatever the cause. */
  readonly actorExited$: Observable<ActorExit> = this._actorExited.asObservable();
  /** Emits when a monitor escalates (its breaker opened, `onRestartLimit: 'escalate'`): the arbiter then stops. */
  readonly escalated$: Observable<Escalation> = this._escalated.asObservable();

  override complete(): void {
    super.complete();
    this._actorSpawned.complete();
    this._actorExited.complete();
    this._escalated.complete();
  }
}
