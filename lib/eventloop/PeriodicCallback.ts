/**
 * {@link PeriodicCallback}: a callback run every `periodMs` milliseconds on a
 * fixed cadence, without overlap.
 * @module
 */
import type { Subscription } from 'rxjs';
import type winston from 'winston';
import { isAsync } from '../async/isAsync.js';
import { ImproperlyConfiguredError, InvalidStateError } from '../errors.js';
import { createLogger } from '../log/createLogger.js';
import { logFailure, runGuarded } from './guard.js';
import { armTimeout } from './timers.js';

/** Options of a {@link PeriodicCallback}. */
export interface PeriodicCallbackOptions {
  /** Where a failing callback is logged (default: `createLogger('periodic')`). */
  logger?: winston.Logger;
  /** Called before each run of the callback (the IOLoop counts an iteration). */
  onTick?: () => void;
  /** When it returns `true`, `start()` throws `InvalidStateError` (the owning loop stopped). */
  isClosed?: () => boolean;
}

/**
 * Runs `callback` every `periodMs` milliseconds until {@link PeriodicCallback.stop}.
 *
 * Ticks aim at a fixed cadence: `start + n × periodMs`. When a run overruns
 * its period — slow synchronous work, or a returned promise that settles
 * late — the missed ticks are skipped and the next run happens on the next
 * multiple of the period: runs never overlap and never come in a burst.
 * While a promise returned by the callback is pending, no tick is scheduled.
 * A callback that throws (or whose promise rejects) is logged at level
 * `error` and the periodic keeps running. Each tick is an `armTimeout`, so a
 * period past `MAX_TIMER_MS` (about 24.8 days, where Node's own timers would
 * fire after 1 ms) is kept whole.
 *
 * Usually created by `IOLoop.addPeriodic()`, which starts it and stops it
 * with the loop.
 *
 * @example
 * ```ts
 * const pc = new PeriodicCallback(() => console.log('tick'), 1000);
 * pc.start();
 * // later
 * pc.stop();
 * ```
 */
export class PeriodicCallback {
  private timer: Subscription | undefined;
  private next = 0;
  private generation = 0;
  private readonly logger: winston.Logger;

  /**
   * @param callback - run each tick; may return a promise, awaited before the next tick.
   * @param periodMs - the period in milliseconds, a positive finite number.
   * @param options - `logger`, `onTick`, `isClosed`.
   */
  constructor(
    private readonly callback: () => unknown,
    readonly periodMs: number,
    private readonly options: PeriodicCallbackOptions = {},
  ) {
    if (!(periodMs > 0) || !Number.isFinite(periodMs)) {
      throw new ImproperlyConfiguredError(
        `periodMs must be a positive finite number, got ${periodMs}`,
      );
    }
    this.logger = options.logger ?? createLogger('periodic');
  }

  /** `true` between {@link PeriodicCallback.start} and {@link PeriodicCallback.stop}. */
  get running(): boolean {
    return this.generation % 2 === 1;
  }

  /**
   * Schedule the first run `periodMs` from now; a no-op when already running.
   *
   * @returns this periodic, for chaining.
   * @throws InvalidStateError when the owning loop has stopped.
   * @example
   * ```ts
   * const pc = new PeriodicCallback(poll, 500).start();
   * ```
   */
  start(): this {
    if (this.running) return this;
    if (this.options.isClosed?.() === true) {
      throw new InvalidStateError('cannot start a PeriodicCallback of a stopped IOLoop');
    }
    this.generation += 1;
    this.next = Date.now();
    this.schedule(this.generation);
    return this;
  }

  /**
   * Cancel the next run; idempotent. A run in progress (or its pending
   * promise) finishes, but nothing is scheduled after it.
   *
   * @example
   * ```ts
   * pc.stop();
   * pc.running; // false
   * ```
   */
  stop(): void {
    if (!this.running) return;
    this.generation += 1;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  private schedule(generation: number): void {
    if (generation !== this.generation) return;
    const now = Date.now();
    this.next += this.periodMs;
    if (this.next <= now) {
      this.next += (Math.floor((now - this.next) / this.periodMs) + 1) * this.periodMs;
    }
    this.timer = armTimeout(() => this.run(generation), this.next - now);
  }

  private run(generation: number): void {
    this.timer = undefined;
    this.options.onTick?.();
    const result = runGuarded(this.logger, 'periodic callback', this.callback);
    if (isAsync(result)) {
      const again = (): void => this.schedule(generation);
      Promise.resolve(result)
        .then(again, again)
        .catch((err: unknown) => {
          logFailure(this.logger, 'periodic scheduling', err);
        });
    } else {
      this.schedule(generation);
    }
  }
}
