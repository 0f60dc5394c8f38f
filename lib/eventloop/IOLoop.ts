/**
 * {@link IOLoop}: an actor's handle on Node's event loop.
 * @module
 */
import type { EventEmitter } from 'node:events';
import { Subscription, UnsubscriptionError, type Observable } from '../rx.js';
import type winston from 'winston';
import { Deferred } from '../async/Deferred.js';
import { InvalidStateError } from '../errors.js';
import { createLogger } from '../log/createLogger.js';
import { MAX_TIMER_MS } from '../util/maxTimerMs.js';
import { HandlerRegistry, type EventHandler } from './HandlerRegistry.js';
import { LoopTicker } from './LoopTicker.js';
import { PeriodicCallback } from './PeriodicCallback.js';
import { logFailure, runGuarded } from './guard.js';
import { LoopEvents } from './LoopEvents.js';
import { bindToLoop } from './observables.js';
import { armInterval, armTimeout } from './timers.js';

/** Options of an {@link IOLoop}. */
export interface IOLoopOptions {
  /** A name for logs (default `'ioloop'`). */
  name?: string;
  /** The logger failing callbacks are reported to (default `createLogger('ioloop')`). */
  logger?: winston.Logger;
}

/** The longest delay Node timers keep: the keep-alive interval never fires in practice. */
const KEEP_ALIVE_MS = MAX_TIMER_MS;
const noop = (): void => undefined;

/**
 * One per actor (so one per process or thread): the actor's handle on the
 * libuv event loop Node already runs. While running it keeps the process
 * alive and counts iterations; it owns every timer, periodic, callback, task,
 * handler and observable subscription registered on it, so {@link IOLoop.stop}
 * releases them all and leaves no handle behind.
 *
 * Life cycle: `initial` → `running` → `closed`; a loop is not restartable.
 * Timers, periodics, handlers and observables registered before `start()` are
 * live at once; callbacks, tasks and `iterations$` run on loop iterations, so
 * only while it runs. Whatever a callback, task, handler, timeout or periodic
 * throws is logged at level `error`; the loop keeps going. Timers use the
 * global timer functions of the moment they are armed (sinon fake timers work),
 * and wait their whole delay, even past Node's limit of `MAX_TIMER_MS`
 * (about 24.8 days; see `timers.ts`).
 *
 * @example
 * ```ts
 * const loop = new IOLoop({ name: 'worker' });
 * loop.addPeriodic(() => console.log('tick'), 1000);
 * loop.addTimeout(5000, () => loop.stop());
 * await loop.start(); // resolves when stopped
 * ```
 */
export class IOLoop extends LoopEvents {
  /** The loop's name, for logs. */
  readonly name: string;
  /** The logger failing callbacks are reported to. */
  readonly logger: winston.Logger;

  private state: 'initial' | 'running' | 'closed' = 'initial';
  private iterationsObservable: Observable<number> | undefined;
  private deferred: Deferred<void> | undefined;
  private readonly root = new Subscription();
  private readonly ticker: LoopTicker;
  private readonly handlers = new HandlerRegistry((handler, event, args) => {
    this.beat();
    runGuarded(this.logger, `handler of '${event}'`, handler, event, ...args);
  });

  /**
   * @param options - `name` and `logger`.
   */
  constructor(options: IOLoopOptions = {}) {
    super();
    this.name = options.name ?? 'ioloop';
    this.logger = options.logger ?? createLogger('ioloop');
    this.ticker = new LoopTicker(this.logger);
    this.root.add(() => this.ticker.close());
    this.root.add(() => {
      this.closed$.next();
      this.closed$.complete();
    });
  }

  /**
   * Emits {@link IOLoop.numLoops} on every iteration while the loop runs and
   * completes when it stops. While subscribed it makes the loop iterate on
   * every turn of Node's event loop (a `setImmediate` chain that yields to
   * I/O); unsubscribed, it costs nothing.
   *
   * @example
   * ```ts
   * loop.iterations$.pipe(take(3)).subscribe((n) => console.log('iteration', n));
   * ```
   */
  get iterations$(): Observable<number> {
    // Made on first use: its operator (`takeUntil`) loads a dozen RxJS
    // modules that an actor's start does not need.
    return (this.iterationsObservable ??= bindToLoop(this.ticker.observe(), this.closed$));
  }

  /** `true` between {@link IOLoop.start} and {@link IOLoop.stop}. */
  get running(): boolean {
    return this.state === 'running';
  }

  /**
   * The number of event-loop iterations in which this loop did work while
   * running. An iteration ends at Node's check phase, where the loop takes
   * its own turn (a `setImmediate`): each iteration in which it ran a
   * callback, a task, a timeout, a periodic, a handler, an observable event,
   * or emitted on `iterations$`, counts once, however many of them it ran.
   * Work done after the loop's turn (later in the check phase, or in the close
   * phase) counts with the next iteration. Iterations with nothing to do are
   * not counted: an idle loop burns no CPU.
   */
  get numLoops(): number {
    return this.ticker.count;
  }

  /**
   * Start the loop: hold one ref'd keep-alive handle so the process stays up,
   * and begin iterating. Starting a running loop returns the same Deferred.
   * @returns a Deferred fired (with `undefined`) when the loop stops.
   * @throws InvalidStateError when the loop was stopped: a loop is not restartable.
   * @example
   * ```ts
   * const done = loop.start();
   * done.addCallback(() => console.log('stopped'));
   * ```
   */
  start(): Deferred<void> {
    if (this.state === 'closed') {
      throw new InvalidStateError(`IOLoop ${this.name} was stopped and cannot be restarted`);
    }
    if (this.deferred !== undefined) return this.deferred;
    this.state = 'running';
    this.deferred = new Deferred<void>();
    this.root.add(armInterval(noop, KEEP_ALIVE_MS));
    this.ticker.activate();
    return this.deferred;
  }

  /**
   * Stop the loop for good: release every timer, periodic, callback, task,
   * handler and the keep-alive handle, complete every observable created from
   * the loop, then fire the Deferred of {@link IOLoop.start}. Idempotent.
   * Teardowns that throw are logged; all of them run.
   *
   * @example
   * ```ts
   * loop.stop();
   * loop.running; // false
   * ```
   */
  stop(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    try {
      this.root.unsubscribe();
    } catch (err) {
      const errors = err instanceof UnsubscriptionError ? err.errors : [err];
      for (const error of errors) logFailure(this.logger, 'IOLoop teardown', error);
    }
    this.deferred?.callback(undefined);
  }

  /**
   * Run `cb` once, `delayMs` milliseconds from now. A delay past
   * `MAX_TIMER_MS` (about 24.8 days), which Node would cut to 1 ms, is
   * waited whole (the timer re-arms); `Infinity` never fires.
   * @param delayMs - the delay in milliseconds.
   * @param cb - the function to run; what it throws is logged.
   * @returns the handle: give it to {@link IOLoop.removeTimeout} (or `unsubscribe()` it) to cancel.
   * @throws InvalidStateError when the loop was stopped.
   * @example
   * ```ts
   * const handle = loop.addTimeout(1000, () => console.log('late'));
   * loop.removeTimeout(handle);
   * ```
   */
  addTimeout(delayMs: number, cb: () => unknown): Subscription {
    this.assertOpen('addTimeout');
    const handle: Subscription = armTimeout(() => {
      handle.unsubscribe();
      this.beat();
      runGuarded(this.logger, 'timeout callback', cb);
    }, delayMs);
    this.root.add(handle);
    return handle;
  }

  /**
   * Cancel a timeout (or a callback) that has not run yet; a no-op otherwise.
   * @param handle - what {@link IOLoop.addTimeout} or {@link IOLoop.addCallback} returned.
   * @example
   * ```ts
   * loop.removeTimeout(handle);
   * ```
   */
  removeTimeout(handle: Subscription): void {
    handle.unsubscribe();
  }

  /**
   * Run `cb` on the next iteration of the loop (Node's check phase), in the
   * order callbacks were added. Callbacks added before `start()` run on its
   * first iteration; a callback added by a callback runs on the iteration after.
   * @param cb - the function to run; what it throws is logged.
   * @returns the handle, which {@link IOLoop.removeTimeout} cancels.
   * @throws InvalidStateError when the loop was stopped.
   * @example
   * ```ts
   * loop.addCallback(() => console.log('soon'));
   * ```
   */
  addCallback(cb: () => unknown): Subscription {
    this.assertOpen('addCallback');
    const handle = this.ticker.addCallback(cb);
    this.root.add(handle);
    return handle;
  }

  /**
   * Run `cb` every `periodMs` milliseconds until the periodic or the loop is
   * stopped. See {@link PeriodicCallback} for the cadence, errors and
   * promise-returning callbacks (never overlapping). A period past
   * `MAX_TIMER_MS` (about 24.8 days) is kept whole, as timeouts are.
   * @param cb - the function to run; may return a promise.
   * @param periodMs - the period in milliseconds, positive and finite.
   * @returns the periodic, already started; `stop()` and `start()` it at will.
   * @throws InvalidStateError when the loop was stopped.
   * @throws ImproperlyConfiguredError when `periodMs` is not positive and finite.
   * @example
   * ```ts
   * const pc = loop.addPeriodic(() => heartbeat(), 5000);
   * pc.stop();
   * ```
   */
  addPeriodic(cb: () => unknown, periodMs: number): PeriodicCallback {
    this.assertOpen('addPeriodic');
    const periodic = new PeriodicCallback(cb, periodMs, {
      logger: this.logger,
      onTick: () => this.beat(),
      isClosed: () => this.state === 'closed',
    });
    this.root.add(() => periodic.stop());
    return periodic.start();
  }

  /**
   * Run `fn` on every iteration while the loop runs, until
   * {@link IOLoop.removeTask}. The loop yields to I/O between iterations.
   * Adding the same function twice registers it once.
   * @param fn - the task; what it throws is logged and it stays registered.
   * @returns a handle whose `unsubscribe()` removes the task.
   * @throws InvalidStateError when the loop was stopped.
   * @example
   * ```ts
   * const poll = () => drainQueue();
   * loop.addTask(poll);
   * loop.removeTask(poll);
   * ```
   */
  addTask(fn: () => unknown): Subscription {
    this.assertOpen('addTask');
    const handle = this.ticker.addTask(fn);
    this.root.add(handle);
    return handle;
  }

  /**
   * Stop running `fn` every iteration; a no-op when it is not a task.
   * @param fn - a function given to {@link IOLoop.addTask}.
   * @example
   * ```ts
   * loop.removeTask(poll);
   * ```
   */
  removeTask(fn: () => unknown): void {
    this.ticker.removeTask(fn);
  }

  /**
   * Listen to `events` of `source` (a socket, a server, any EventEmitter):
   * each one calls `handler(event, ...args)`. One handler per source.
   * @param source - the emitter.
   * @param handler - called with the event name, then the event's arguments.
   * @param events - the event names, such as `['data', 'close']`.
   * @returns a handle whose `unsubscribe()` removes the handler.
   * @throws InvalidStateError when the loop was stopped or `source` has a handler.
   * @example
   * ```ts
   * loop.addHandler(server, (event, socket) => serve(socket as Socket), ['connection']);
   * ```
   */
  addHandler(source: EventEmitter, handler: EventHandler, events: readonly string[]): Subscription {
    this.assertOpen('addHandler');
    const handle = this.handlers.add(source, handler, events);
    this.root.add(handle);
    return handle;
  }

  /**
   * Change the events the handler of `source` listens to.
   * @param source - an emitter given to {@link IOLoop.addHandler}.
   * @param events - the new event names (`[]` pauses the handler).
   * @throws InvalidStateError when `source` has no handler (or the loop was stopped).
   * @example
   * ```ts
   * loop.updateHandler(socket, ['close']);
   * ```
   */
  updateHandler(source: EventEmitter, events: readonly string[]): void {
    this.handlers.update(source, events);
  }

  /**
   * Detach the handler of `source` from all its events; a no-op when it has none.
   * @param source - the emitter.
   * @example
   * ```ts
   * loop.removeHandler(socket);
   * ```
   */
  removeHandler(source: EventEmitter): void {
    this.handlers.remove(source);
  }

  /** Count the current iteration: something was dispatched. */
  protected override beat(): void {
    this.ticker.beat();
  }

  private assertOpen(what: string): void {
    if (this.state === 'closed') {
      throw new InvalidStateError(`${what}() on IOLoop ${this.name}, which was stopped`);
    }
  }
}
