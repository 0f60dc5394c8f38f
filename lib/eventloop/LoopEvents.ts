/**
 * {@link LoopEvents}: the Observable factories of the IOLoop, bound to its
 * lifetime.
 * @module
 */
import type { EventEmitter } from 'node:events';
import { AsyncSubject, fromEvent, interval, timer, type Observable } from '../rx.js';
import { bindToLoop, signalEvents } from './observables.js';

/**
 * The base of {@link IOLoop}: Observables of events, timers and signals whose
 * subscriptions complete when the loop stops (and complete at once when
 * subscribed after). Each value they emit counts as an iteration of the loop.
 *
 * @example
 * ```ts
 * loop.interval(1000).subscribe((n) => console.log('second', n));
 * loop.stop(); // completes the subscription and clears its timer
 * ```
 */
export abstract class LoopEvents {
  /** Emits once when the loop stops, and replays that to late subscribers. */
  protected readonly closed$ = new AsyncSubject<void>();

  /** Count the current iteration of the loop: a bound Observable emitted. */
  protected abstract beat(): void;

  /**
   * Events named `name` of `emitter`, until the loop stops.
   *
   * @param emitter - the EventEmitter.
   * @param name - the event name.
   * @returns an Observable of the event's argument (an array when there are several).
   * @example
   * ```ts
   * loop.fromEvent<Buffer>(socket, 'data').subscribe((chunk) => parse(chunk));
   * ```
   */
  fromEvent<T = unknown>(emitter: EventEmitter, name: string): Observable<T> {
    return this.bind(fromEvent<T>(emitter, name));
  }

  /**
   * Emits `0` once after `ms` milliseconds, then completes (or completes
   * when the loop stops). RxJS `timer`, armed with the global `setInterval`
   * of the moment, so fake timers apply.
   *
   * @param ms - the delay in milliseconds.
   * @returns the Observable.
   * @example
   * ```ts
   * loop.timer(100).subscribe(() => console.log('100ms later'));
   * ```
   */
  timer(ms: number): Observable<0> {
    return this.bind(timer(ms));
  }

  /**
   * Emits `0, 1, 2…` every `ms` milliseconds until the loop stops.
   *
   * @param ms - the period in milliseconds.
   * @returns the Observable.
   * @example
   * ```ts
   * loop.interval(1000).subscribe((n) => console.log('second', n));
   * ```
   */
  interval(ms: number): Observable<number> {
    return this.bind(interval(ms));
  }

  /**
   * The process signal `name`, each time it is received, until the loop
   * stops. Subscribing adds a `process` listener (which replaces Node's
   * default action for that signal); unsubscribing removes it.
   *
   * @param name - the signal, such as `'SIGTERM'`.
   * @returns an Observable of the signal's name.
   * @example
   * ```ts
   * loop.signal('SIGTERM').subscribe(() => loop.stop());
   * ```
   */
  signal(name: NodeJS.Signals): Observable<NodeJS.Signals> {
    return this.bind(signalEvents(name));
  }

  /**
   * `source` bound to the loop: each value counts an iteration, and it
   * completes when the loop stops.
   *
   * @param source - the Observable to bind.
   * @returns the bound Observable.
   */
  protected bind<T>(source: Observable<T>): Observable<T> {
    return bindToLoop(source, this.closed$, () => this.beat());
  }
}
