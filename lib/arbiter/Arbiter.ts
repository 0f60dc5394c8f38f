/**
 * The arbiter: the actor of the main process. It runs the hub, spawns
 * process and thread actors, routes messages between them and watches them
 * exit.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ExitInfo, WorkerHandle } from '../concurrency/WorkerHandle.js';
import { dirname } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Deferred } from '../async/Deferred.js';
import { attachControl } from '../control/attachControl.js';
import { attachMetrics } from '../metrics/attachMetrics.js';
import {
  ActorExitedError,
  CancelledError,
  ImproperlyConfiguredError,
  InvalidStateError,
  TimeoutError,
} from '../errors.js';
import { Actor } from '../actor/Actor.js';
import { ActorProxy, ActorProxyDeferred } from '../actor/ActorProxy.js';
import { newAid } from '../actor/aid.js';
import { ArbiterEvents } from '../actor/ArbiterEvents.js';
import { getActor, setActor } from '../actor/current.js';
import { Hub } from '../transport/Hub.js';
import { Monitor } from '../monitor/Monitor.js';
import type { MonitorParams } from '../monitor/MonitorParams.js';
import type { Supervisor } from '../monitor/Supervisor.js';
import { installSignals } from './arbiterSignals.js';
import { Introducer } from './Introducer.js';
import { PortLink } from '../transport/PortLink.js';
import type { Envelope } from '../transport/protocol.js';
import { Router, type Child } from './Router.js';
import { RemoteHub } from '../remote/RemoteHub.js';
import { startWorker, type WorkerSpec } from '../child/startWorker.js';
import { splitParams } from '../actor/splitParams.js';
import { checkSpawnParams } from '../actor/checkSpawnParams.js';
import { checkArbiterOptions, type ArbiterOptions } from './ArbiterOptions.js';
import { DEFAULT_TIMEOUTS, type SpawnParams } from '../actor/types.js';

export type { ArbiterOptions } from './ArbiterOptions.js';

/**
 * The arbiter. Create it with `arbiter()`.
 *
 * @example
 * ```ts
 * const a = arbiter();
 * await a.start();
 * const proxy = await a.spawn({ name: 'w', concurrency: 'thread' });
 * await a.stop();
 * ```
 */
export class Arbiter extends Actor implements Supervisor {
  override readonly events: ArbiterEvents<Actor> = new ArbiterEvents<Actor>();
  private readonly hub: Hub;
  private readonly children = new Map<string, Child>();
  private readonly monitorsByName = new Map<string, Monitor>();
  /** Monitors added with `start: false`: their owner (an app) starts them. */
  private readonly startedByOwner = new WeakSet<Monitor>();
  /** Actors living in this process (the arbiter and its monitors), by aid. */
  private readonly local = new Map<string, Actor>();
  private startDeferred: Deferred<this> | undefined;
  private readonly options: ArbiterOptions;
  private readonly router: Router;
  /** @internal The hub's TLS side, when `hub` is `tls://HOST:PORT` (other machines). */
  readonly remote: RemoteHub | undefined;
  private readonly introducer = new Introducer((aid) => this.children.get(aid)?.link);
  /** Closes the control socket and the metrics server. */
  private readonly closers: (() => Promise<void>)[] = [];
  /** Where `/metrics` is served (`HOST:PORT`), when `metrics` is set. */
  metricsAddress: string | undefined;

  /** @param given - name, timeouts, hub limits (and the TLS hub), hooks. */
  constructor(given: ArbiterOptions = {}) {
    const options = checkArbiterOptions(given);
    const {
      name,
      maxConnections,
      maxMessageSize,
      signals: _s,
      onReload: _r,
      gracefulTimeout: _g,
      control: _c,
      controlName: _n,
      metrics: _m,
      hub: tlsHub,
      hubCert,
      hubKey,
      hubCa,
      hubSecretFile,
      ...rest
    } = options;
    const { hooks, timeouts } = splitParams(rest);
    super({
      aid: newAid(),
      name: name ?? 'arbiter',
      concurrency: 'arbiter',
      cfg: { ...DEFAULT_TIMEOUTS, ...timeouts },
      hooks,
    });
    this.hub = new Hub({
      maxConnections: maxConnections ?? 1024,
      maxMessageSize: maxMessageSize ?? 64 * 1024 * 1024,
      handshakeTimeout: this.cfg.timeout,
      logger: this.logger,
    });
    this.options = options;
    if (typeof tlsHub === 'string' && tlsHub !== '') {
      const tls = { hub: tlsHub, hubCert, hubKey, hubCa, hubSecretFile };
      const context = {
        logger: this.logger,
        timeout: this.cfg.timeout,
        pools: this.monitorsByName,
        proxyOf: (aid: string) => this.children.get(aid)?.proxy,
      };
      this.remote = new RemoteHub(this.hub, tls, context);
    }
    this.router = new Router(
      this,
      this.hub,
      this.children,
      this.local,
      this.monitorsByName,
      this.introducer,
    );
    this.local.set(this.aid, this);
    this.command('spawn', async (_a, params: SpawnParams) => (await this.spawn(params)).toJSON());
    this.command('kill_actor', (_a, aid: string) => this.stopActor(aid));
    this.command('notify', (_a, info: Record<string, unknown>) => this.notified(info), {
      ack: false,
    });
  }

  /** Proxies of the spawned actors that completed their handshake. */
  get actors(): ActorProxy[] {
    return [...this.children.values()].filter((c) => c.ready).map((c) => c.proxy);
  }

  /** How long a graceful stop on a signal may take before it turns fast (ms). */
  get gracefulTimeout(): number {
    return (this.options.gracefulTimeout as number | undefined) ?? 30_000;
  }

  /** `true` when it serves `/metrics` (or will, once started): the hook of the apps' metrics. */
  get metricsOn(): boolean {
    return typeof this.options.metrics === 'string' && this.options.metrics !== '';
  }

  /** The monitors, by name. */
  get monitors(): ReadonlyMap<string, Monitor> {
    return this.monitorsByName;
  }

  /**
   * Add a pool. It starts with the arbiter (at once if the arbiter runs).
   *
   * @param name - a unique name; workers and other actors can `send()` to it by name.
   * @param params - pool settings (`workers`, `minWorkers`, `maxRequests`…) and worker parameters.
   * @param options - `start: false`: do not start it now even if the arbiter runs (call `monitor.start()`).
   * @returns the monitor.
   * @example
   * ```ts
   * const pool = a.addMonitor('pool', { workers: 2, concurrency: 'thread' });
   * ```
   */
  addMonitor(name: string, params: MonitorParams = {}, options: { start?: boolean } = {}): Monitor {
    if (this.monitorsByName.has(name) || name === this.name || name === 'arbiter') {
      throw new ImproperlyConfiguredError(`a monitor or actor named "${name}" exists already`);
    }
    if (this.state === 'stopping' || this.state === 'closed') {
      throw new InvalidStateError(`cannot add monitor "${name}": the arbiter is ${this.state}`);
    }
    const monitor = new Monitor(this, name, params);
    this.monitorsByName.set(name, monitor);
    if (options.start === false) this.startedByOwner.add(monitor);
    this.local.set(monitor.aid, monitor);
    // A stopped monitor leaves: its name can be used again.
    monitor.events.stopped$.subscribe(() => {
      if (this.monitorsByName.get(name) === monitor) this.monitorsByName.delete(name);
      this.local.delete(monitor.aid);
    });
    if (this.state === 'running' && options.start !== false) void monitor.start();
    return monitor;
  }

  /**
   * Reload: call `onReload` (it may reconfigure), then replace every worker
   * of every monitor, each successor ready before its predecessor stops.
   */
  async reload(): Promise<void> {
    this.logger.info('reloading: replacing every worker');
    await this.options.onReload?.(this);
    for (const monitor of this.monitorsByName.values()) monitor.restartWorkers();
  }

  /**
   * @internal A monitor past its restart limit escalates (`onRestartLimit:
   * 'escalate'`): like an Erlang supervisor, the arbiter gives up: it stops
   * (every app with it) and the process's exit code becomes 1.
   * @param monitor - the monitor's name.
   * @param reason - why its breaker opened.
   */
  escalate(monitor: string, reason: string): void {
    if (this.state !== 'running' && this.state !== 'starting') return;
    this.logger.error(`monitor "${monitor}" escalates (${reason}): stopping, exit code 1`);
    process.exitCode = 1;
    this.events._escalated.next({ monitor, reason });
    void this.stop();
  }

  /** The whole tree: the arbiter, its monitors and their workers. */
  override info(): Record<string, unknown> {
    return {
      ...super.info(),
      monitors: [...this.monitorsByName.values()].map((m) => m.info()),
      actors: this.actors.length,
      ...(this.metricsAddress === undefined ? {} : { metrics: this.metricsAddress }),
      ...(this.remote === undefined ? {} : { hub: this.remote.address, nodes: this.remote.nodes }),
    };
  }

  /** @internal Deliver an envelope written by a local actor (a monitor). */
  deliverFor(env: Envelope): void {
    env.to = this.router.resolve(env.to) ?? env.to;
    this.deliver(env);
  }

  /**
   * Fast stop: kill every spawned actor at once (threads terminated), then stop.
   * @returns a promise fired once the arbiter is closed.
   */
  async terminate(): Promise<void> {
    for (const child of this.children.values()) child.proxy.worker?.kill('SIGKILL');
    await this.stop();
  }

  /**
   * Stop gracefully: monitors and their workers, the other actors, the hub.
   * A stop during start waits for the start to settle first.
   * @returns a Deferred fired once the arbiter is closed.
   */
  override stop(): Deferred<void> {
    const starting = this.startDeferred;
    if (starting === undefined || starting.called) return super.stop();
    const done = new Deferred<void>();
    starting.addBoth(() => {
      super.stop().addBoth(() => done.callback(undefined));
      return undefined;
    });
    return done;
  }

  /** The hub's socket path, once started. */
  get hubPath(): string | undefined {
    return this.hub.path;
  }

  /**
   * Start the hub and run the `start` hook.
   * @returns a Deferred fired with the arbiter once it runs.
   */
  start(): Deferred<this> {
    if (this.startDeferred !== undefined) return this.startDeferred;
    const d = new Deferred<this>();
    this.startDeferred = d;
    this.state = 'starting';
    this.loop.start();
    if (this.options.signals !== false) this.subscriptions.add(installSignals(this));
    this.boot().then(
      () => d.callback(this),
      (err: unknown) => {
        d.errback(err instanceof Error ? err : new Error(String(err)));
        void this.stop();
      },
    );
    return d;
  }

  /**
   * The aid of the actor an aid or a name stands for: the arbiter itself, a
   * monitor or a spawned actor.
   *
   * @param to - an aid or a name.
   * @returns the aid, or `to` itself when no actor answers to it.
   */
  resolveName(to: string): string {
    return this.router.resolve(to) ?? to;
  }

  protected override resolveTarget(to: string): string {
    return this.resolveName(to);
  }

  /**
   * Spawn a process or thread actor.
   *
   * @param params - name, concurrency, hooks, commands, module, timeouts and free-form params.
   * @returns the Deferred of its proxy, fired after the handshake; its `aid` is known at once.
   */
  spawn(params: SpawnParams = {}): ActorProxyDeferred {
    const aid = params.aid ?? newAid();
    const name = params.name ?? 'actor';
    const deferred = new ActorProxyDeferred(aid, name);
    try {
      params = checkSpawnParams(params, name);
    } catch (err) {
      deferred.errback(err);
      return deferred;
    }
    const concurrency = params.concurrency ?? 'process';
    if (this.state !== 'running' && this.state !== 'starting') {
      deferred.errback(
        new InvalidStateError(`cannot spawn "${name}": the arbiter is ${this.state}`),
      );
      return deferred;
    }
    if (this.children.has(aid) || aid === this.aid) {
      deferred.errback(new ImproperlyConfiguredError(`an actor with aid ${aid} exists already`));
      return deferred;
    }
    // Thread actors hold no hub connection, but count against maxConnections too.
    const full = this.hub.full(
      [...this.children.values()].filter((c) => c.link?.kind !== 'socket').length,
    );
    if (full !== undefined) {
      deferred.errback(new InvalidStateError(`cannot spawn "${name}": ${full}`));
      return deferred;
    }
    const all = this.prepareParams({ ...params });
    const { hooks, commands, timeouts, free } = splitParams(all);
    // Spawned actors inherit the arbiter's timeouts unless given their own.
    const { timeout, requestTimeout, exitTimeout } = this.cfg;
    const cfg = { timeout, requestTimeout, exitTimeout, ...timeouts, ...free };
    this.hub.ensureListening();
    const nonce = randomBytes(18).toString('base64url');
    // A thread actor talks over a channel of its own (see PortLink).
    const channel = concurrency === 'thread' ? new MessageChannel() : undefined;
    let port: PortLink | undefined;
    if (channel !== undefined) {
      port = new PortLink(channel.port1, (batch) => this.router.route(port!, batch), {
        maxMessageSize: this.hub.maxMessageSize,
        onReject: (reason) =>
          this.logger.warn(`disconnecting a peer: ${reason} (thread actor ${aid})`),
      });
    }
    let worker: WorkerHandle;
    try {
      const spec: WorkerSpec = {
        aid,
        name,
        concurrency,
        hub: this.hub.path ?? '',
        arbiter: this.aid,
        module: all['module'],
        behaviour: { hooks, commands },
        cfg,
        maxMessageSize: this.hub.maxMessageSize,
        nonce,
        port: channel?.port2,
      };
      worker = this.remote?.place(spec) ?? startWorker(spec);
    } catch (err) {
      port?.close();
      deferred.errback(err);
      return deferred;
    }
    const proxy = new ActorProxy(aid, name, concurrency);
    proxy.worker = worker;
    proxy.pid = worker.pid;
    proxy.threadId = worker.threadId;
    proxy.stopper = () => this.stopActor(aid).then(() => undefined);
    const child: Child = {
      proxy,
      deferred,
      forwarded: new Map(),
      exitTimeout: cfg.exitTimeout,
      ready: false,
      nonce,
    };
    // Cancelling the spawn kills the actor.
    deferred.addErrback((err: unknown) => {
      if (err instanceof CancelledError) worker.kill('SIGKILL');
      throw err;
    });
    this.children.set(aid, child);
    this.logger.debug(
      `spawned ${concurrency} actor "${name}" (${aid}${worker.kind === 'process' ? `, pid ${worker.pid}` : ''})`,
    );
    child.handshake = this.loop.addTimeout(cfg.timeout, () => {
      if (deferred.called) return;
      deferred.errback(
        new TimeoutError(`actor "${name}" (${aid}) sent no handshake within ${cfg.timeout} ms`),
      );
      worker.kill('SIGKILL');
    });
    this.subscriptions.add(
      worker.exit$.subscribe((exit) => {
        port?.readPending();
        this.exited(aid, exit);
        port?.close();
      }),
    );
    return deferred;
  }

  /**
   * Stop a spawned actor: the `stop` command, then SIGTERM/SIGKILL (a
   * thread is terminated) after its `exitTimeout`.
   *
   * @param aid - the actor's aid.
   * @returns `true` once it exited, `false` when there was no such actor.
   */
  async stopActor(aid: string): Promise<boolean> {
    const child = this.children.get(aid);
    if (child === undefined) return false;
    const worker = child.proxy.worker;
    if (worker === undefined || worker.exited) return true;
    const exitTimeout = child.exitTimeout;
    if (child.link !== undefined && !child.link.closed) {
      this.send(aid, 'stop').addErrback(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => worker.exit$.subscribe(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(resolve, exitTimeout, false))),
      ]);
      clearTimeout(timer);
      if (exited) return true;
      this.logger.warn(`actor ${aid} did not stop within ${exitTimeout} ms: terminating`);
    }
    await worker.terminate(2_000);
    return true;
  }

  private async boot(): Promise<void> {
    await this.hub.start();
    if (this.remote !== undefined) {
      await this.remote.start();
      this.closers.push(() => this.remote!.close());
    }
    const { control, controlName, metrics, signals } = this.options;
    if (control !== false) {
      const dir = dirname(this.hub.path ?? '');
      this.closers.push(
        await attachControl(this, { dir, name: controlName, signals: signals !== false }),
      );
    }
    if (typeof metrics === 'string' && metrics !== '') {
      const served = await attachMetrics(this, metrics);
      this.metricsAddress = served.address;
      this.closers.push(() => served.close());
    }
    this.subscriptions.add(
      this.hub.incoming$.subscribe(({ socket, envelopes }) =>
        this.router.route(this.router.linkOf(socket), envelopes),
      ),
    );
    await this.started();
    this.loop.addPeriodic(() => {
      this.hub.ensureListening();
      this.tick();
    }, 1000);
    // A pool whose workers cannot start does not stop the arbiter: it logs,
    // backs off and retries until its breaker opens (see its info).
    // Those added with `start: false` are started (and reported) by their owner.
    const monitors = [...this.monitorsByName.values()];
    await Promise.all(
      monitors
        .filter((m) => !this.startedByOwner.has(m))
        .map((m) =>
          m.start().then(undefined, (err: unknown) => {
            this.logger.error(`monitor "${m.name}" could not start a worker: ${String(err)}`);
          }),
        ),
    );
  }

  protected override deliver(env: Envelope): void {
    this.router.deliver(env);
  }

  private notified(info: Record<string, unknown>): void {
    const child = typeof info['aid'] === 'string' ? this.children.get(info['aid']) : undefined;
    if (child === undefined) return;
    const { proxy, deferred } = child;
    delete info['nonce']; // the spawn's secret stays out of the info
    proxy.lastNotified = Date.now();
    if (deferred.called) {
      proxy.info = info;
      for (const monitor of this.monitorsByName.values()) monitor.notified(proxy.aid);
      return;
    }
    child.handshake?.unsubscribe();
    if (info['error'] !== undefined) {
      const error = info['error'];
      deferred.errback(error instanceof Error ? error : new Error(JSON.stringify(error)));
      return;
    }
    proxy.info = info;
    child.ready = true;
    this.logger.debug(`actor "${proxy.name}" (${proxy.aid}) is ready`);
    deferred.callback(proxy);
    this.events._actorSpawned.next(proxy);
  }

  private exited(aid: string, exit: ExitInfo): void {
    const child = this.children.get(aid);
    if (child === undefined) return;
    this.children.delete(aid);
    child.handshake?.unsubscribe();
    const { proxy, deferred } = child;
    const how = exit.signal ?? `code ${exit.exitCode}`;
    const error = new ActorExitedError(`actor "${proxy.name}" (${aid}) exited (${how})`);
    this.logger.debug(error.message);
    if (!deferred.called) deferred.errback(error);
    if (child.link !== undefined) {
      this.router.failForwarded(child, error);
      child.link.close();
    }
    this.introducer.exited(aid, error.message);
    for (const actor of this.local.values()) actor.failRequests(error, aid);
    this.events._actorExited.next({
      aid,
      name: proxy.name,
      concurrency: proxy.concurrency,
      exitCode: exit.exitCode,
      signal: exit.signal,
      proxy,
    });
  }

  protected override async close(): Promise<void> {
    await Promise.all([...this.monitorsByName.values()].map((m) => m.stop()));
    await Promise.all([...this.children.keys()].map((aid) => this.stopActor(aid)));
    for (const close of this.closers.splice(0)) await close();
    await this.hub.stop();
    if (getActor() === (this as Actor)) setActor(undefined);
  }
}
