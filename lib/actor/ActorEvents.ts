/**
 * The event streams of an actor: the way users hook into its life.
 * @module
 */
import { Subject, type Observable } from '../rx.js';
import type { Request } from '../transport/protocol.js';

/** What `info$` subscribers receive: they may add keys to `info`. */
export interface InfoEvent<A> {
  /** The actor asked for its info. */
  actor: A;
  /** The info being built: add to it. */
  info: Record<string, unknown>;
}

/** What `params$` subscribers receive: they may add keys to `params`. */
export interface ParamsEvent<A> {
  /** The actor about to spawn a child. */
  actor: A;
  /** The child's parameters: change them in place. */
  params: Record<string, unknown>;
}

/**
 * The streams every actor has. Each completes when the actor is closed.
 *
 * @example
 * ```ts
 * actor.events.periodicTask$.subscribe((a) => a.logger.debug('tick'));
 * actor.events.message$.subscribe((req) => console.log(req.cmd));
 * ```
 */
export class ActorEvents<A> {
  /** @internal */ readonly _start = new Subject<A>();
  /** @internal */ readonly _stopping = new Subject<A>();
  /** @internal */ readonly _stopped = new Subject<A>();
  /** @internal */ readonly _periodicTask = new Subject<A>();
  /** @internal */ readonly _info = new Subject<InfoEvent<A>>();
  /** @internal */ readonly _params = new Subject<ParamsEvent<A>>();
  /** @internal */ readonly _message = new Subject<Request>();

  /** Emits once the actor runs (after its `start` hook). */
  readonly start$: Observable<A> = this._start.asObservable();
  /** Emits when the actor begins to stop (in-flight work still running). */
  readonly stopping$: Observable<A> = this._stopping.asObservable();
  /** Emits when the actor is closed: connection, loop and timers released. */
  readonly stopped$: Observable<A> = this._stopped.asObservable();
  /** Emits on every periodic task tick (the heartbeat period). */
  readonly periodicTask$: Observable<A> = this._periodicTask.asObservable();
  /** Emits each time `info()` is built; subscribers may add keys. */
  readonly info$: Observable<InfoEvent<A>> = this._info.asObservable();
  /** Emits with the parameters of each actor spawned from this one. */
  readonly params$: Observable<ParamsEvent<A>> = this._params.asObservable();
  /** Emits every request this actor receives, before its command runs. */
  readonly message$: Observable<Request> = this._message.asObservable();

  /** Complete every stream. */
  complete(): void {
    for (const s of [
      this._start,
      this._stopping,
      this._stopped,
      this._periodicTask,
      this._info,
      this._params,
      this._message,
    ]) {
      s.complete();
    }
  }
}
