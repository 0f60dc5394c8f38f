/**
 * {@link LoopTicker}: the IOLoop's own turn of Node's event loop, which runs
 * callbacks and tasks and counts iterations.
 * @module
 */
import { Observable, Subject, Subscription } from '../rx.js';
import type winston from 'winston';
import { runGuarded } from './guard.js';
import { armImmediate } from './timers.js';

/**
 * Runs the IOLoop's turn in Node's check phase (a `setImmediate`), armed only
 * while there is work: queued callbacks, tasks, `iterations$` subscribers, or
 * an iteration to close after a timer or event was dispatched. Internal to
 * the IOLoop, whose `numLoops` documents the count.
 *
 * @example
 * ```ts
 * const ticker = new LoopTicker(logger);
 * ticker.activate();
 * ticker.addCallback(() => console.log('next iteration'));
 * ticker.close();
 * ```
 */
export class LoopTicker {
  private active = false;
  private iterations = 0;
  private counted = false;
  private immediate: Subscription | undefined;
  private readonly ticks = new Subject<number>();
  private readonly callbacks = new Map<Subscription, () => unknown>();
  private readonly tasks = new Map<() => unknown, Subscription>();

  /**
   * @param logger - where failing callbacks and tasks are logged.
   */
  constructor(private readonly logger: winston.Logger) {}

  /** Iterations counted so far. */
  get count(): number {
    return this.iterations;
  }

  /** Begin taking turns (the loop started). */
  activate(): void {
    this.active = true;
    this.wake();
  }

  /** Stop for good: cancel the pending turn, drop callbacks and tasks, complete `ticks`. */
  close(): void {
    this.active = false;
    this.immediate?.unsubscribe();
    this.immediate = undefined;
    this.callbacks.clear();
    this.tasks.clear();
    this.ticks.complete();
  }

  /**
   * The iteration count, emitted on every turn; subscribing keeps turns coming.
   *
   * @returns an Observable that makes the ticker turn on every iteration while subscribed.
   */
  observe(): Observable<number> {
    return new Observable<number>((subscriber) => {
      const subscription = this.ticks.subscribe(subscriber);
      this.wake();
      return subscription;
    });
  }

  /**
   * Queue `cb` for the next turn.
   *
   * @param cb - the callback.
   * @returns its handle; `unsubscribe()` dequeues it.
   */
  addCallback(cb: () => unknown): Subscription {
    const handle = new Subscription(() => this.callbacks.delete(handle));
    this.callbacks.set(handle, cb);
    this.wake();
    return handle;
  }

  /**
   * Run `fn` on every turn (once, however often it is added).
   *
   * @param fn - the task.
   * @returns its handle; `unsubscribe()` removes it.
   */
  addTask(fn: () => unknown): Subscription {
    const existing = this.tasks.get(fn);
    if (existing !== undefined) return existing;
    const handle = new Subscription(() => this.tasks.delete(fn));
    this.tasks.set(fn, handle);
    this.wake();
    return handle;
  }

  /**
   * Remove the task `fn`; a no-op when it is not one.
   *
   * @param fn - the task.
   */
  removeTask(fn: () => unknown): void {
    this.tasks.get(fn)?.unsubscribe();
  }

  /** Count the current iteration once (work was dispatched), closing it at the next turn. */
  beat(): void {
    if (!this.active || this.counted) return;
    this.iterations += 1;
    this.counted = true;
    this.immediate ??= armImmediate(() => this.turn());
  }

  private wake(): void {
    if (!this.active || this.immediate !== undefined) return;
    if (this.callbacks.size === 0 && this.tasks.size === 0 && !this.ticks.observed) return;
    this.immediate = armImmediate(() => this.turn());
  }

  private turn(): void {
    this.immediate = undefined;
    if (!this.active) return;
    if (!this.counted) this.iterations += 1;
    this.counted = false;
    for (const [handle, cb] of [...this.callbacks]) {
      if (handle.closed) continue;
      handle.unsubscribe();
      runGuarded(this.logger, 'callback', cb);
    }
    for (const [fn, handle] of [...this.tasks]) {
      if (!handle.closed) runGuarded(this.logger, 'task', fn);
    }
    if (this.active) this.ticks.next(this.iterations);
    this.wake();
  }
}
