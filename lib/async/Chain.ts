/**
 * The engine behind a {@link Deferred}: its callback chain, its result, and
 * the loop that runs it (Twisted's `_runCallbacks`). Internal to `lib/async`;
 * the public face is `Deferred`.
 * @internal
 * @module
 */
import { InvalidStateError } from '../errors.js';
import { isAsync } from './isAsync.js';
import { trackUnhandled, untrackUnhandled } from './reportUnhandledErrors.js';
import type { UnhandledFailure } from './reportUnhandledErrors.js';

/** A callback or errback of the chain. */
export type Handler = (result: unknown) => unknown;

/** One step of a chain: a callback/errback pair, a watcher, or the hand-over to a waiting chain. */
export type Link =
  | { kind: 'call'; cb: Handler | undefined; eb: Handler | undefined }
  | { kind: 'observe'; watch: (result: unknown, failed: boolean) => boolean }
  | { kind: 'continue'; chainee: Chain };

/** A wait on a plain thenable (not a Deferred), which may be abandoned. */
interface Waiting {
  settled: boolean;
}

/**
 * Where a Deferred keeps its chain, so a chain knows a Deferred when a
 * callback returns one (a property, not a WeakMap: one per request on the
 * hot path, and WeakMap entries are costly to the garbage collector).
 */
export const CHAIN: unique symbol = Symbol('rxpulsar.chain');

/**
 * The callback chain of one Deferred.
 *
 * @internal
 * @example
 * ```ts
 * const chain = new Chain(deferred);
 * chain.push({ kind: 'call', cb: (x) => x, eb: undefined });
 * chain.fire(1, false);
 * ```
 */
export class Chain {
  /** Whether the chain was fired. */
  called = false;
  /** Whether a callback is executing. */
  running = false;
  /** How many pauses hold the chain. */
  paused = 0;
  /** The current result (the error on the error path, the thenable while waiting). */
  result: unknown = undefined;
  /** Whether the chain is on the error path. */
  failed = false;
  /** The thenable (possibly a Deferred) the chain waits on. */
  waitingOn: PromiseLike<unknown> | undefined = undefined;
  private handled = false;
  private unhandled: UnhandledFailure | undefined = undefined;
  private waiting: Waiting | undefined = undefined;
  private readonly links: Link[] = [];
  private next = 0;

  /** @param owner - the Deferred this chain belongs to. */
  constructor(owner: object) {
    (owner as { [CHAIN]?: Chain })[CHAIN] = this;
  }

  /** Append a link, and run it at once if the chain is fired and not paused. */
  push(link: Link): void {
    this.links.push(link);
    this.run();
  }

  /** Fire the chain (the caller checked it was not fired yet). */
  fire(result: unknown, failed: boolean): void {
    this.called = true;
    this.set(result, failed);
    this.run();
  }

  /** Release one pause; the chain goes on when none is left. */
  unpause(): void {
    if (this.paused === 0) return;
    this.paused -= 1;
    if (this.paused === 0) this.run();
  }

  /** A listener took the failure `reason`: it is no longer unhandled. */
  forgive(reason: unknown): void {
    if (this.failed && this.result === reason) this.handled = true;
    if (this.unhandled?.reason === reason) this.forget();
  }

  /** Stop waiting on a plain thenable and go on with the error `reason`. */
  abandonWait(reason: unknown): void {
    if (this.waiting !== undefined) this.resume(this.waiting, reason, true);
  }

  private set(result: unknown, failed: boolean): void {
    this.result = result;
    this.failed = failed;
    this.handled = false;
  }

  private forget(): void {
    if (this.unhandled === undefined) return;
    untrackUnhandled(this.unhandled);
    this.unhandled = undefined;
  }

  private resume(waiting: Waiting, result: unknown, failed: boolean): void {
    if (waiting.settled) return;
    waiting.settled = true;
    this.waiting = undefined;
    this.waitingOn = undefined;
    this.set(result, failed || result instanceof Error);
    this.unpause();
  }

  /**
   * The result is a thenable: take the result of a Deferred at rest, or
   * pause until the thenable settles.
   *
   * @returns whether the chain is now paused.
   */
  private wait(thenable: PromiseLike<unknown>): boolean {
    const inner = (thenable as { [CHAIN]?: Chain })[CHAIN];
    if (inner === this) {
      this.set(new InvalidStateError('a Deferred callback returned its own Deferred'), true);
      return false;
    }
    if (inner !== undefined) {
      const atRest = inner.called && inner.paused === 0 && !inner.running;
      if (atRest && inner.next === inner.links.length) {
        this.set(inner.result, inner.failed);
        if (inner.failed) inner.forgive(inner.result);
        return false;
      }
      this.paused += 1;
      this.waitingOn = thenable;
      inner.links.push({ kind: 'continue', chainee: this });
      return true;
    }
    const waiting: Waiting = { settled: false };
    this.paused += 1;
    this.waiting = waiting;
    this.waitingOn = thenable;
    try {
      thenable.then(
        (value) => this.resume(waiting, value, false),
        (reason) => this.resume(waiting, reason, true),
      );
    } catch (err) {
      waiting.settled = true;
      this.waiting = undefined;
      this.waitingOn = undefined;
      this.paused -= 1;
      this.set(err, true);
      return false;
    }
    return true;
  }

  /**
   * Run this chain, and the chains waiting on it, in one loop: no recursion.
   * The stack of chains to come back to is made only when a chain hands its
   * result on (most runs, a request's reply among them, never do).
   */
  private run(): void {
    if (this.running || !this.called) return;
    let stack: Chain[] | undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the loop walks from this chain to those waiting on it
    let current: Chain | undefined = this;
    while (current !== undefined) {
      let chainee: Chain | undefined;
      if (current.paused === 0) current.forget();
      while (current.paused === 0) {
        if (!current.failed && isAsync(current.result)) {
          if (current.wait(current.result)) break;
          continue;
        }
        const link = current.links[current.next];
        if (link === undefined) {
          current.links.length = 0;
          current.next = 0;
          break;
        }
        current.next += 1;
        if (link.kind === 'continue') {
          chainee = link.chainee;
          chainee.waitingOn = undefined;
          chainee.set(current.result, current.failed);
          if (current.failed) current.handled = true;
          chainee.paused -= 1;
          break;
        }
        if (link.kind === 'observe') {
          if (link.watch(current.result, current.failed) && current.failed) current.handled = true;
          continue;
        }
        const fn = current.failed ? link.eb : link.cb;
        if (fn !== undefined) current.call(fn);
      }
      if (chainee !== undefined) {
        // Come back to this chain (its next links) once the chainee is done.
        (stack ??= []).push(current);
        current = chainee;
        continue;
      }
      if (current.failed && !current.handled && current.paused === 0) {
        current.unhandled = trackUnhandled(current, current.result);
      }
      current = stack?.pop();
    }
  }

  private call(fn: Handler): void {
    this.running = true;
    try {
      const value = fn(this.result);
      this.set(value, value instanceof Error);
    } catch (err) {
      this.set(err, true);
    } finally {
      this.running = false;
    }
  }
}
