/**
 * Node timers as RxJS Subscriptions. Each helper looks the global timer
 * functions up when it is called (never at import), and pairs the handle with
 * the `clear…` function of the same implementation, so a timer armed under
 * sinon fake timers is cleared by the fake clock and a real one by Node.
 *
 * Long delays: Node keeps a delay of at most {@link MAX_TIMER_MS} (2^31 - 1
 * ms, about 24.8 days) and fires a longer one after 1 ms, with a
 * `TimeoutOverflowWarning`. {@link armTimeout} waits the whole delay
 * instead: it arms at most `MAX_TIMER_MS` and re-arms for the rest, the one
 * Subscription cancelling whichever timer is armed; `Infinity` never fires
 * (the timer stays armed, as any other, until unsubscribed). Periodics of
 * the IOLoop (`PeriodicCallback`) are chains of `armTimeout`, so a long
 * period is kept too. {@link armInterval}, a bare `setInterval`, refuses a
 * period past the limit (`ImproperlyConfiguredError`) rather than spin.
 * Zero, negative and `NaN` delays are left to Node (which waits 1 ms).
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';
import { Subscription } from '../rx.js';
import { MAX_TIMER_MS } from '../util/maxTimerMs.js';

/**
 * Run `cb` once after `delayMs` milliseconds, however long: a delay past
 * {@link MAX_TIMER_MS} is waited in hops of at most that, and `Infinity`
 * never ends.
 *
 * @param cb - the function to run.
 * @param delayMs - the delay in milliseconds.
 * @returns a Subscription whose `unsubscribe()` clears the timer (whichever hop is armed).
 * @example
 * ```ts
 * const sub = armTimeout(() => console.log('late'), 100);
 * sub.unsubscribe(); // never logs
 * const monthly = armTimeout(() => console.log('30 days later'), 30 * 86_400_000);
 * monthly.unsubscribe();
 * ```
 */
export function armTimeout(cb: () => void, delayMs: number): Subscription {
  const { setTimeout: set, clearTimeout: clear } = globalThis;
  let handle: ReturnType<typeof set>;
  const arm = (remaining: number): void => {
    handle =
      remaining > MAX_TIMER_MS
        ? set(() => arm(remaining - MAX_TIMER_MS), MAX_TIMER_MS)
        : set(cb, remaining);
  };
  arm(delayMs);
  return new Subscription(() => clear(handle));
}

/**
 * Run `cb` every `periodMs` milliseconds.
 *
 * @param cb - the function to run.
 * @param periodMs - the period in milliseconds, at most {@link MAX_TIMER_MS}.
 * @returns a Subscription whose `unsubscribe()` clears the interval.
 * @throws ImproperlyConfiguredError when `periodMs` is past {@link MAX_TIMER_MS}
 *   (or `NaN`): Node would run `cb` every millisecond.
 * @example
 * ```ts
 * const keepAlive = armInterval(() => undefined, MAX_TIMER_MS);
 * keepAlive.unsubscribe();
 * ```
 */
export function armInterval(cb: () => void, periodMs: number): Subscription {
  if (!(periodMs <= MAX_TIMER_MS)) {
    throw new ImproperlyConfiguredError(
      `an interval's period must be at most ${MAX_TIMER_MS} ms (MAX_TIMER_MS, the longest timer Node keeps), got ${periodMs}`,
    );
  }
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
