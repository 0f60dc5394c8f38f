/**
 * Deferred: a Subject-backed promise with a Twisted-style callback chain.
 * @module
 */
import { AsyncSubject, Observable } from '../rx.js';
import { AlreadyCalledError, CancelledError, NotCalledError } from '../errors.js';
import { Chain } from './Chain.js';
import type { Handler } from './Chain.js';
import { log } from './reportUnhandledErrors.js';

/**
 * A result that is not there yet, with a chain of callbacks, following
 * Twisted's Deferred. Fire it once with {@link Deferred.callback} or
 * {@link Deferred.errback}; each callback gets the previous result. A callback
 * that throws, or returns an `Error`, moves the chain to the error path; an
 * errback that returns a plain value recovers it. A callback that returns a
 * thenable pauses the chain until it settles. A Deferred is `PromiseLike`, so
 * it can be awaited, and {@link Deferred.asObservable} gives it as an
 * Observable. A failure left at the end of a chain with nobody listening is
 * logged when the Deferred is collected or the actor stops.
 *
 * The chain runs in a loop, never by recursion, so chains of any length and
 * Deferreds nested to any depth do not grow the stack. Unlike Twisted, a
 * Deferred whose result was handed to another (returned from its callback)
 * keeps that result.
 *
 * @example
 * ```ts
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addErrback(() => 0);
 * d.callback(21);
 * console.log(await d); // 42
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  private readonly _chain = new Chain(this);
  private _suppressAlreadyCalled = false;
  // Typed loosely so that T stays covariant: a Deferred<Sub> is a Deferred<Base>.
  private readonly _canceller: ((d: unknown) => void) | undefined;

  /**
   * @param canceller - called by {@link Deferred.cancel} while the Deferred
   *   is not fired, to stop the work behind it; it may fire the Deferred
   *   itself, otherwise the Deferred errbacks with a `CancelledError`.
   */
  constructor(canceller?: (d: Deferred<T>) => void) {
    this._canceller = canceller as ((d: unknown) => void) | undefined;
  }

  /** Whether `callback` or `errback` was called. */
  get called(): boolean {
    return this._chain.called;
  }

  /** Whether a callback of this Deferred is executing right now. */
  get running(): boolean {
    return this._chain.running;
  }

  /** How many pauses hold the chain: each thenable it waits on counts one, and each `pause()`. */
  get paused(): number {
    return this._chain.paused;
  }

  /**
   * The current result of the chain: a value, the error on the error path,
   * or, while paused, the thenable it waits on.
   *
   * @throws NotCalledError if the Deferred was not fired.
   */
  get result(): unknown {
    if (!this._chain.called) throw new NotCalledError('Deferred has no result yet');
    return this._chain.result;
  }

  /**
   * Append a callback (and optionally an errback) to the chain.
   *
   * @example
   * ```ts
   * d.addCallback((user) => user.name, (err) => 'anonymous');
   * ```
   * @param cb - called with the result on the success path.
   * @param eb - called with the error on the error path.
   * @returns this Deferred, typed with the new result.
   */
  addCallback<R1, R2 = never>(
    cb: (result: T) => R1,
    eb?: (reason: unknown) => R2,
  ): Deferred<Awaited<R1> | Awaited<R2>> {
    return this.addCallbacks(cb, eb);
  }

  /**
   * Append a callback/errback pair; a missing one passes the result on.
   *
   * @example
   * ```ts
   * d.addCallbacks(null, (err) => fallback);
   * ```
   * @param cb - called with the result on the success path.
   * @param eb - called with the error on the error path.
   * @returns this Deferred, typed with the new result.
   */
  addCallbacks<R1 = T, R2 = never>(
    cb: ((result: T) => R1) | null | undefined,
    eb?: ((reason: unknown) => R2) | null,
  ): Deferred<Awaited<R1> | Awaited<R2>> {
    this._chain.push({
      kind: 'call',
      cb: (cb ?? undefined) as Handler | undefined,
      eb: eb ?? undefined,
    });
    return this as unknown as Deferred<Awaited<R1> | Awaited<R2>>;
  }

  /**
   * Append an errback: it runs only on the error path; returning a value
   * recovers the chain.
   *
   * @example
   * ```ts
   * d.addErrback((err) => (err instanceof TimeoutError ? null : err));
   * ```
   * @param eb - called with the error.
   * @returns this Deferred, typed with the new result.
   */
  addErrback<R>(eb: (reason: unknown) => R): Deferred<T | Awaited<R>> {
    return this.addCallbacks(null, eb);
  }

  /**
   * Append one function as both callback and errback.
   *
   * @example
   * ```ts
   * d.addBoth((resultOrError) => { socket.end(); return resultOrError; });
   * ```
   * @param fn - called with the result or the error.
   * @returns this Deferred, typed with the new result.
   */
  addBoth<R>(fn: (result: unknown) => R): Deferred<Awaited<R>> {
    this._chain.push({ kind: 'call', cb: fn, eb: fn });
    return this as unknown as Deferred<Awaited<R>>;
  }

  /**
   * Watch the result at this point of the chain without changing it. The
   * watcher runs synchronously when the chain reaches it; a failure given to
   * `onFailure` counts as handled. A watcher that throws is logged.
   *
   * @example
   * ```ts
   * d.observe((value) => cache.set(key, value), (err) => metrics.failed(err));
   * ```
   * @param onResult - called with the result on the success path.
   * @param onFailure - called with the error on the error path.
   * @returns this Deferred.
   */
  observe(onResult: (result: T) => void, onFailure?: (reason: unknown) => void): this {
    return this._observe((result, failed) => {
      try {
        if (!failed) onResult(result as T);
        else onFailure?.(result);
      } catch (err) {
        log(err, 'Error in Deferred observer');
      }
      return onFailure !== undefined;
    });
  }

  /**
   * Fire the chain with `value`; an `Error` takes the error path and a
   * thenable pauses the chain until it settles.
   *
   * @example
   * ```ts
   * socket.once('connect', () => d.callback(socket));
   * ```
   * @param value - the result.
   * @throws AlreadyCalledError if the Deferred was already fired.
   */
  callback(value: T | PromiseLike<T>): void {
    this._fire(value, value instanceof Error);
  }

  /**
   * Fire the chain on the error path.
   *
   * @example
   * ```ts
   * socket.once('error', (err) => d.errback(err));
   * ```
   * @param reason - the error (any value is accepted).
   * @throws AlreadyCalledError if the Deferred was already fired.
   */
  errback(reason: unknown = new Error('Deferred errback')): void {
    this._fire(reason, true);
  }

  /**
   * Cancel the work behind this Deferred. Not fired yet: the canceller runs,
   * then, if it did not fire the Deferred, it errbacks with a
   * `CancelledError` (and, without a canceller, one later `callback` is
   * ignored). Paused on another Deferred: that one is cancelled. Paused on a
   * plain thenable: the chain goes on at once with a `CancelledError`.
   * Otherwise nothing happens.
   *
   * @example
   * ```ts
   * const d = new Deferred<void>(() => clearTimeout(handle));
   * d.cancel();
   * ```
   */
  cancel(): void {
    const waitingOn = this._chain.waitingOn;
    if (!this.called) {
      if (this._canceller === undefined) this._suppressAlreadyCalled = true;
      else {
        try {
          this._canceller(this);
        } catch (err) {
          if (!this.called) this.errback(err);
        }
      }
      if (!this.called) this.errback(new CancelledError('Deferred cancelled'));
    } else if (waitingOn instanceof Deferred) {
      waitingOn.cancel();
    } else if (waitingOn !== undefined) {
      this._chain.abandonWait(new CancelledError('Deferred cancelled'));
    }
  }

  /**
   * Hold the chain: callbacks wait until as many `unpause()` calls.
   *
   * @example
   * ```ts
   * d.pause(); d.callback(1); d.addCallback(log); d.unpause(); // log runs now
   * ```
   */
  pause(): void {
    this._chain.paused += 1;
  }

  /**
   * Release one `pause()`; the chain goes on when no pause is left.
   *
   * @example
   * ```ts
   * d.unpause();
   * ```
   */
  unpause(): void {
    this._chain.unpause();
  }

  /**
   * Observe the result of the chain at this point as a native Promise; the
   * chain's result is not changed and a failure counts as handled.
   *
   * @example
   * ```ts
   * const value = await d;
   * ```
   * @param onFulfilled - called with the result.
   * @param onRejected - called with the error.
   * @returns a Promise of what the called function returns.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      this._observe((result, failed) => {
        // The chain's error is passed on as it is, like `await` of any thenable.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (failed) reject(result);
        else resolve(result as T);
        return true;
      });
    }).then(onFulfilled, onRejected);
  }

  /**
   * The result of the chain at this point as an Observable (backed by an
   * RxJS `AsyncSubject`): it emits the result once and completes, or errors,
   * also for late subscribers. A failure counts as handled once the
   * Observable has a subscriber.
   *
   * @example
   * ```ts
   * d.asObservable().subscribe({ next: console.log, error: console.error });
   * ```
   * @returns an Observable of the result.
   */
  asObservable(): Observable<T> {
    const subject = new AsyncSubject<T>();
    let failure: { reason: unknown } | undefined;
    this._observe((result, failed) => {
      const observed = subject.observed;
      if (failed) {
        failure = { reason: result };
        subject.error(result);
      } else {
        subject.next(result as T);
        subject.complete();
      }
      return observed;
    });
    return new Observable<T>((subscriber) => {
      if (failure !== undefined) this._chain.forgive(failure.reason);
      return subject.subscribe(subscriber);
    });
  }

  private _observe(watch: (result: unknown, failed: boolean) => boolean): this {
    this._chain.push({ kind: 'observe', watch });
    return this;
  }

  private _fire(result: unknown, failed: boolean): void {
    if (this._chain.called) {
      if (!this._suppressAlreadyCalled) throw new AlreadyCalledError('Deferred already called');
      this._suppressAlreadyCalled = false;
      return;
    }
    this._chain.fire(result, failed);
  }
}
