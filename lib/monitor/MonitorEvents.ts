/**
 * A monitor's event streams: those of every actor, plus `resized$`.
 * @module
 */
import { Subject, type Observable } from '../rx.js';
import { ActorEvents } from '../actor/ActorEvents.js';

/** A change of a pool's size. */
export interface ResizeEvent {
  /** The monitor's name. */
  monitor: string;
  /** The target size before. */
  from: number;
  /** The target size after. */
  to: number;
  /** `manual` (resize()), the signal's name (`SIGTTIN`, `SIGTTOU`), or the load policy's reason. */
  reason: string;
}

/**
 * Streams of a monitor.
 *
 * @example
 * ```ts
 * pool.events.resized$.subscribe(({ from, to, reason }) => console.log(from, to, reason));
 * ```
 */
export class MonitorEvents<A> extends ActorEvents<A> {
  /** @internal */ readonly _resized = new Subject<ResizeEvent>();
  /** Emits every change of the pool's size, with the reason. */
  readonly resized$: Observable<ResizeEvent> = this._resized.asObservable();

  override complete(): void {
    super.complete();
    this._resized.complete();
  }
}
