/**
 * The actor: a unit of work with its own IOLoop, logger, commands and
 * mailbox, that shares nothing and talks to other actors by messages.
 * @module
 */
import { Subscription } from '../rx.js';
import type winston from 'winston';
import { Deferred } from '../async/Deferred.js';
import { reportUnhandledErrors } from '../async/reportUnhandledErrors.js';
import { CommandNotFoundError, InvalidStateError } from '../errors.js';
import { IOLoop } from '../eventloop/IOLoop.js';
import { createLogger } from '../log/createLogger.js';
import { ActorEvents } from './ActorEvents.js';
import type { ActorMessage } from './ActorMessage.js';
import { builtinCommandOptions, builtinCommands } from './commands.js';
import { Mailbox } from './Mailbox.js';
import type { Envelope, Request } from '../transport/protocol.js';
import type {
  ActorHooks,
  ActorState,
  ActorTimeouts,
  CommandHandler,
  CommandOptions,
  Concurrency,
  Target,
} from './types.js';

/** How an actor is made. */
export interface ActorOptions {
  /** The actor's unique id. */
  aid: string;
  /** Its name (several actors may share one). */
  name: string;
  /** Whether it runs in a process or a thread. */
  concurrency: Concurrency;
  /** Timeouts and the free-form parameters. */
  cfg: ActorTimeouts & Record<string, unknown>;
  /** Lifecycle hooks. */
  hooks?: ActorHooks<Actor>;
  /** Remote commands, by name, added to the built-in ones. */
  commands?: Record<string, CommandHandler>;
  /** Share another actor's loop (monitors share the arbiter's); default: its own. */
  loop?: IOLoop;
}

type CommandEntry = { handler: CommandHandler; ack: boolean };

/**
 * An actor. Process and thread actors are made by `spawn()`; the arbiter is
 * the actor of the main process.
 *
 * @example
 * ```ts
 * const actor = getActor()!;
 * actor.command('greet', (a, who: string) => `hello ${who} from ${a.name}`);
 * await actor.send('arbiter', 'ping'); // 'pong'
 * ```
 */
export class Actor {
  /** The actor id. */
  readonly aid: string;
  /** The actor's name. */
  readonly name: string;
  /** What it runs as. */
  readonly concurrency: Concurrency;
  /** Timeouts and free-form parameters. */
  readonly cfg: ActorTimeouts & Record<string, unknown>;
  /** Labelled with name and aid. */
  readonly logger: winston.Logger;
  /** The actor's handle on the event loop. */
  readonly loop: IOLoop;
  /** Room for the user's own state. */
  readonly extra: Record<string, unknown> = {};
  /** The actor's event streams. */
  readonly events: ActorEvents<Actor> = new ActorEvents<Actor>();
  /** Owns every subscription the actor makes; released on stop. */
  protected readonly subscriptions = new Subscription();
  protected readonly mailbox: Mailbox;
  protected readonly hooks: ActorHooks<Actor>;
  private readonly commands = new Map<string, CommandEntry>();
  private currentState: ActorState = 'initial';
  /** Requests served outside the mailbox (HTTP requests, connections…). */
  private servedOutside = 0;
  private inFlightOutside = 0;
  private readonly startedAt = Date.now();
  private stopDeferred: Deferred<void> | undefined;
  private readonly ownsLoop: boolean;

  /** @param options - identity, config, hooks and commands. */
  constructor(options: ActorOptions) {
    this.aid = options.aid;
    this.name = options.name;
    this.concurrency = options.concurrency;
    this.cfg = options.cfg;
    this.hooks = options.hooks ?? {};
    this.logger = createLogger(this.name, this.aid);
    this.ownsLoop = options.loop === undefined;
    this.loop = options.loop ?? new IOLoop({ name: this.name, logger: this.logger });
    this.mailbox = new Mailbox(
      this.aid,
      (env) => this.deliver(env),
      (request, args) => this.dispatch(request, args),
      this.cfg.requestTimeout,
      () => this.onServed(),
    );
    for (const [name, handler] of Object.entries(builtinCommands)) {
      this.command(name, handler, builtinCommandOptions[name]);
    }
    for (const [name, handler] of Object.entries(options.commands ?? {})) {
      this.command(name, handler);
    }
  }

  /** Where the actor is in its life. */
  get state(): ActorState {
    return this.currentState;
  }

  /** Moves the actor to `state` and emits its lifecycle event. */
  protected set state(state: ActorState) {
    this.currentState = state;
  }

  /** `true` for the arbiter of the main process. */
  isArbiter(): boolean {
    return this.concurrency === 'arbiter';
  }

  /** `true` for a monitor (a pool in the arbiter's process). */
  isMonitor(): boolean {
    return this.concurrency === 'monitor';
  }

  /** `true` for an actor in a child process. */
  isProcess(): boolean {
    return this.concurrency === 'process';
  }

  /** `true` for an actor in a worker thread. */
  isThread(): boolean {
    return this.concurrency === 'thread';
  }

  /**
   * Register a remote command on this actor.
   *
   * @param name - the command name other actors send.
   * @param handler - receives this actor, then the caller's arguments; may return a promise.
   * @param options - `ack: false` when callers expect no reply.
   * @returns this actor.
   * @example
   * ```ts
   * actor.command('add', (_a, x: number, y: number) => x + y);
   * ```
   */
  command(name: string, handler: CommandHandler, options: CommandOptions = {}): this {
    this.commands.set(name, { handler, ack: options.ack ?? true });
    return this;
  }

  /**
   * Send a command to another actor and get the Deferred of its reply.
   *
   * @param target - an aid, a name (`'arbiter'`, a monitor's name) or a proxy.
   * @param action - the command name.
   * @param args - its arguments (any value the codec carries, functions included).
   * @returns the Deferred of the reply; every request has a deadline (`requestTimeout`).
   * @example
   * ```ts
   * await actor.send(proxy, 'echo', 'hi'); // 'hi'
   * ```
   */
  send(target: Target, action: string, ...args: unknown[]): ActorMessage {
    const to = this.resolveTarget(typeof target === 'string' ? target : target.aid);
    return this.mailbox.request(to, action, args, true);
  }

  /**
   * Send a command and expect no reply (fire and forget): the envelope says
   * so (`ack: false`), so the target sends nothing back and nothing waits
   * here. For commands registered with `ack: false`, such as `notify`.
   *
   * @param target - an aid, a name or a proxy.
   * @param action - the command name.
   * @param args - its arguments.
   * @returns a Deferred fired at once: with `undefined` once the message is
   *   on its way, or with the error when it cannot travel (encoding, size).
   * @example
   * ```ts
   * actor.tell('arbiter', 'notify', actor.info());
   * ```
   */
  tell(target: Target, action: string, ...args: unknown[]): ActorMessage {
    const to = this.resolveTarget(typeof target === 'string' ? target : target.aid);
    return this.mailbox.request(to, action, args, false);
  }

  /**
   * The aid a target name stands for, where this actor can tell (the
   * arbiter and its monitors can), so that a request is resolved once, when
   * it is sent, and fails as soon as that actor exits.
   *
   * @param to - an aid or a name.
   * @returns the aid, or `to` itself.
   */
  protected resolveTarget(to: string): string {
    return to;
  }

  /**
   * A snapshot of the actor: identity, state, load and memory; `onInfo`
   * hooks and `info$` subscribers may add keys.
   *
   * @returns the info record.
   */
  info(): Record<string, unknown> {
    const info: Record<string, unknown> = {
      aid: this.aid,
      name: this.name,
      state: this.state,
      concurrency: this.concurrency,
      pid: process.pid,
      uptime: (Date.now() - this.startedAt) / 1000,
      requests: this.served,
      inFlight: this.mailbox.inFlight + this.inFlightOutside,
      waiting: this.mailbox.waiting,
      memory: process.memoryUsage.rss(),
    };
    this.hooks.onInfo?.(this, info);
    this.events._info.next({ actor: this, info });
    return info;
  }

  /**
   * Stop gracefully: the `stopping` hook, then in-flight requests finish
   * (up to `exitTimeout`), then the connection, loop and timers are released.
   *
   * @returns a Deferred fired once the actor is closed; calling again returns it.
   */
  stop(): Deferred<void> {
    if (this.stopDeferred !== undefined) return this.stopDeferred;
    const done = new Deferred<void>();
    this.stopDeferred = done;
    this.state = 'stopping';
    this.shutdown().then(
      () => done.callback(undefined),
      (err: unknown) => {
        this.logger.error(`error while stopping: ${String(err)}`);
        done.callback(undefined);
      },
    );
    return done;
  }

  /** Run the `start` hook and emit `start$`: the actor is running after it. */
  protected async started(): Promise<void> {
    await this.hooks.start?.(this);
    this.state = 'running';
    this.events._start.next(this);
  }

  /** A request was served (by the mailbox or `trackRequest()`); subclasses may react. */
  protected onServed(): void {}

  /** Requests served so far (mailbox and tracked). */
  get served(): number {
    return this.mailbox.served + this.servedOutside;
  }

  /** One periodic tick: hook and stream. */
  protected tick(): void {
    this.hooks.periodicTask?.(this);
    this.events._periodicTask.next(this);
  }

  /** Write an envelope towards its target; subclasses provide the transport. */
  protected deliver(_env: Envelope): void {
    throw new InvalidStateError(`${this.constructor.name} has no transport`);
  }

  /**
   * Count a request this actor serves outside its mailbox (an HTTP request,
   * a connection), so that `info()`, `maxRequests` and the load policy see it.
   *
   * @returns `done()`: call it once the request is over (extra calls are ignored).
   * @example
   * ```ts
   * server.on('request', (req, res) => res.once('close', worker.trackRequest()));
   * ```
   */
  trackRequest(): () => void {
    this.beginRequest();
    const started = this.recordsLatency ? performance.now() : undefined;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.endRequest(started);
    };
  }

  /**
   * `true` while this actor records request latencies (its arbiter serves
   * metrics): a hot path reads the clock for {@link Actor.endRequest} only then.
   */
  get recordsLatency(): boolean {
    return this.mailbox.latency.enabled;
  }

  /**
   * The allocation-free form of {@link Actor.trackRequest} for hot paths:
   * call `endRequest()` exactly once for every `beginRequest()`.
   */
  beginRequest(): void {
    this.inFlightOutside++;
  }

  /**
   * Ends a request begun with {@link Actor.beginRequest}.
   * @param startedAt - its `performance.now()` at the start, to count its latency in the metrics.
   */
  endRequest(startedAt?: number): void {
    if (startedAt !== undefined && this.mailbox.latency.enabled) {
      this.mailbox.latency.observe(performance.now() - startedAt);
    }
    this.inFlightOutside--;
    this.servedOutside++;
    this.onServed();
  }

  /**
   * @internal Fail the requests this actor waits on from `target` (it exited).
   * @param error - the error to fail them with.
   * @param target - the aid they went to.
   */
  failRequests(error: Error, target: string): void {
    this.mailbox.fail(error, target);
  }

  /**
   * @internal Run the `onParams` hook and `params$` on the parameters of an
   * actor this one spawns.
   * @param params - the parameters; hooks and subscribers may change them.
   * @returns the same object.
   */
  prepareParams(params: Record<string, unknown>): Record<string, unknown> {
    this.hooks.onParams?.(this, params);
    this.events._params.next({ actor: this, params });
    return params;
  }

  /** Hand an envelope addressed to this actor to its mailbox. */
  receive(env: Envelope): void {
    this.mailbox.receive(env);
  }

  /** What a subclass releases on close (connections, children). */
  protected async close(): Promise<void> {}

  private dispatch(request: Request, args: unknown[]): unknown {
    // A Subject's next() costs a closure and a walk even with no one listening.
    if (this.events._message.observed) this.events._message.next(request);
    const entry = this.commands.get(request.cmd);
    if (entry === undefined) {
      throw new CommandNotFoundError(
        `actor ${this.name} (${this.aid}) has no command "${request.cmd}"`,
      );
    }
    if (entry.ack) return entry.handler(this, ...args);
    // Fire and forget: the caller gets `undefined` at once; a failure is logged here.
    Promise.resolve()
      .then(() => entry.handler(this, ...args))
      .catch((err: unknown) => {
        this.logger.error(`command "${request.cmd}" failed: ${String(err)}`);
      });
    return undefined;
  }

  private async shutdown(): Promise<void> {
    this.events._stopping.next(this);
    try {
      await this.hooks.stopping?.(this);
    } catch (err) {
      this.logger.error(`stopping hook failed: ${String(err)}`);
    }
    const deadline = Date.now() + this.cfg.exitTimeout;
    while (this.mailbox.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.close();
    this.mailbox.close();
    this.subscriptions.unsubscribe();
    if (this.ownsLoop) this.loop.stop();
    this.state = 'closed';
    this.events._stopped.next(this);
    this.events.complete();
    reportUnhandledErrors();
  }
}
