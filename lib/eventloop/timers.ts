/**
 * Node timers as RxJS Subscriptions. Each helper looks the global timer
 * functions up when it is called (never at import), and pairs the handle with
 * the `clear…` function of the same implementation, so a timer armed under
 * sinon fake timers is cleared by the fake clock and a real one by Node.
 * @module
 */
import { Subscription } from '../rx.js';

/**
 * Run `cb` once after `delayMs` milliseconds.
 *
 * @param cb - the function to run.
 * @param delayMs - the delay in milliseconds.
 * @returns a Subscription whose `unsubscribe()` clears the timer.
 * @example
 * ```ts
 * const sub = armTimeout(() => console.log('late'), 100);
 * sub.unsubscribe(); // never logs
 * ```
 */
export function armTimeout(cb: () => void, delayMs: number): Subscription {
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  const handle = set(cb, delayMs);
  return new Subscription(() => clear(handle));
}

/**
 * Run `cb` every `periodMs` milliseconds.
 *
 * @param cb - the function to run.
 * @param periodMs - the period in milliseconds.
 * @returns a Subscription whose `unsubscribe()` clears the interval.
 * @example
 * ```ts
 * const keepAlive = armInterval(() => undefined, 2 ** 31 - 1);
 * keepAlive.unsubscribe();
 * ```
 */
export function armInterval(cb: () => void, periodMs: number): Subscription {
  const { setInterval: set, clearInterval: clear } = globalThis;
  const handle = set(cb, periodMs);
  return new Subscription(() => clear(handle));
}

/**
 * Run `cb` in the check phase of the event loop (`setImmediate`).
 *
 * @param cb - the function to run.
 * @returns a Subscription whose `unsubscribe()` clears the immediate.
 * @example
 * ```ts
 * const sub = armImmediate(() => console.log('next iteration'));
 * ```
 */
export function armImmediate(cb: () => void): Subscription {
  const { setImmediate: set, clearImmediate: clear } = globalThis;
  const handle = set(cb);
  return new Subscription(() => clear(handle));
}
