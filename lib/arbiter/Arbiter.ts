/**
 * The arbiter: the actor of the main process. Its lifecycle and public API
 * live here; the jobs are in rooms of their own: the hub ({@link ArbiterHub}),
 * the child table ({@link ChildTable}, with {@link launchChild} for a spawn),
 * the monitors ({@link MonitorRegistry}) and routing ({@link Router}).
 * @module
 */
import { dirname } from 'node:path';
import { Deferred } from '../async/Deferred.js';
import { ImproperlyConfiguredError, InvalidStateError } from '../errors.js';
import { Actor } from '../actor/Actor.js';
import { OrphanReaper } from '../concurrency/OrphanReaper.js';
import { ActorProxyDeferred, type ActorProxy } from '../actor/ActorProxy.js';
import { newAid } from '../actor/aid.js';
import { ArbiterEvents } from '../actor/ArbiterEvents.js';
import { getActor, setActor } from '../actor/current.js';
import { splitParams } from '../actor/splitParams.js';
import { checkSpawnParams } from '../actor/checkSpawnParams.js';
import { DEFAULT_TIMEOUTS, type SpawnParams } from '../actor/types.js';
import type { Monitor } from '../monitor/Monitor.js';
import type { MonitorParams } from '../monitor/MonitorParams.js';
import type { Supervisor } from '../monitor/Supervisor.js';
import type { RemoteHub } from '../remote/RemoteHub.js';
import type { Envelope } from '../transport/protocol.js';
import { installSignals } from './arbiterSignals.js';
import { ArbiterHub } from './ArbiterHub.js';
import { actorParams, checkArbiterOptions, type ArbiterOptions } from './ArbiterOptions.js';
import { ChildTable } from './ChildTable.js';
import { Introducer } from './Introducer.js';
import { MonitorRegistry } from './MonitorRegistry.js';
import { Router } from './Router.js';
import { launchChild, type SpawnContext } from './startChild.js';
import { spares } from '../child/startWorker.js';

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
  /** Actors living in this process (the arbiter and its monitors), by aid. */
  private readonly local = new Map<string, Actor>();
  private readonly table: ChildTable;
  private readonly registry: MonitorRegistry;
  private readonly hubs: ArbiterHub;
  private readonly router: Router;
  private readonly introducer: Introducer;
  /** What every spawn needs of the arbiter (see startChild). */
  private readonly spawning: SpawnContext;
  private startDeferred: Deferred<this> | undefined;
  private readonly options: ArbiterOptions;
  /** Closes the control socket and the metrics server. */
  private readonly closers: (() => Promise<void>)[] = [];
  /** Where `/metrics` is served (`HOST:PORT`), when `metrics` is set. */
  metricsAddress: string | undefined;

  /** @param given - name, timeouts, hub limits (and the TLS hub), hooks. */
  constructor(given: ArbiterOptions = {}) {
    const options = checkArbiterOptions(given);
    const { hooks, timeouts } = splitParams(actorParams(options));
    super({
      aid: newAid(),
      name: options.name ?? 'arbiter',
      concurrency: 'arbiter',
      cfg: { ...DEFAULT_TIMEOUTS, ...timeouts },
      hooks,
    });
    this.options = options;
    this.registry = new MonitorRegistry(this, this.local);
    const { logger, local, registry } = this;
    this.table = new ChildTable({
      logger,
      loop: this.loop,
      events: this.events,
      local,
      monitors: registry.byName,
      sendStop: (aid) => void this.send(aid, 'stop').addErrback(() => undefined),
      failForwarded: (child, error) => this.router.failForwarded(child, error),
      forget: (aid, reason) => this.introducer.exited(aid, reason),
    });
    const children = this.table.children;
    this.hubs = new ArbiterHub(options, {
      logger,
      timeout: this.cfg.timeout,
      pools: registry.byName,
      proxyOf: (aid) => children.get(aid)?.proxy,
    });
    this.introducer = new Introducer((aid) => children.get(aid)?.link);
    this.router = new Router(
      this,
      this.hubs.hub,
      children,
      local,
      registry.byName,
      this.introducer,
    );
    const hubs = this.hubs;
    const router = this.router;
    this.spawning = {
      arbiter: this.aid,
      cfg: this.cfg,
      hub: hubs.hub,
      // Set once started (its module is loaded then).
      get remote() {
        return hubs.remote;
      },
      logger,
      route: (port, batch) => router.route(port, batch),
      stop: (aid) => this.stopActor(aid),
      admit: (aid, name) => this.checkCanSpawn(aid, name),
      add: ({ child, timeout, port }) =>
        this.subscriptions.add(this.table.add(child, timeout, port)),
      reserve: (deferred) => this.table.reserve(deferred),
    };
    local.set(this.aid, this);
    this.command('spawn', async (_a, params: SpawnParams) => (await this.spawn(params)).toJSON());
    this.command('kill_actor', (_a, aid: string) => this.stopActor(aid));
    this.command('notify', (_a, info: Record<string, unknown>) => this.table.notified(info), {
      ack: false,
    });
  }

  /** Proxies of the spawned actors that completed their handshake. */
  get actors(): ActorProxy[] {
    return this.table.actors;
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
    return this.registry.byName;
  }

  /** @internal The hub's TLS side, when `hub` is `tls://HOST:PORT` (other machines). */
  get remote(): RemoteHub | undefined {
    return this.hubs.remote;
  }

  /**
   * The hub's socket path, once started. It listens there from the first
   * process actor spawned on (an arbiter of threads only never loads node-ipc).
   */
  get hubPath(): string | undefined {
    return this.hubs.hub.path;
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
    if (this.state === 'stopping' || this.state === 'closed') {
      throw new InvalidStateError(`cannot add monitor "${name}": the arbiter is ${this.state}`);
    }
    const monitor = this.registry.add(name, params, options);
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
    for (const monitor of this.registry.byName.values()) monitor.restartWorkers();
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
    const { remote } = this;
    return {
      ...super.info(),
      monitors: [...this.registry.byName.values()].map((m) => m.info()),
      actors: this.actors.length,
      ...(this.metricsAddress === undefined ? {} : { metrics: this.metricsAddress }),
      ...(remote === undefined ? {} : { hub: remote.address, nodes: remote.nodes }),
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
    this.table.killAll();
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
   * @param options - `standby: true`: a pool's standby, hidden until its pool adopts it.
   * @returns the Deferred of its proxy, fired after the handshake (`HandshakeTimeoutError`
   *   when none comes within its `timeout`); its `aid` is known at once.
   */
  spawn(params: SpawnParams = {}, options: { standby?: boolean } = {}): ActorProxyDeferred {
    const aid = params.aid ?? newAid();
    const name = params.name ?? 'actor';
    const deferred = new ActorProxyDeferred(aid, name);
    try {
      const checked = checkSpawnParams(params, name);
      this.checkCanSpawn(aid, name);
      const prepared = this.prepareParams(checked);
      launchChild(this.spawning, deferred, prepared, options.standby === true);
    } catch (err) {
      deferred.errback(err);
    }
    return deferred;
  }

  /**
   * @internal A pool adopts its standby (see `Monitor`): it becomes an actor
   * like any other, announced by `actorSpawned$` now.
   * @param aid - the standby's aid.
   * @returns `true` when it was a ready standby, alive and not being stopped (else the pool stops it and spawns afresh).
   */
  adoptStandby(aid: string): boolean {
    return this.table.adopt(aid);
  }

  /**
   * Stop a spawned actor: the `stop` command, then SIGTERM/SIGKILL (a
   * thread is terminated) after its `exitTimeout`.
   *
   * @param aid - the actor's aid.
   * @returns `true` once it exited, `false` when there was no such actor.
   */
  stopActor(aid: string): Promise<boolean> {
    return this.table.stop(aid);
  }

  private checkCanSpawn(aid: string, name: string): void {
    if (this.state !== 'running' && this.state !== 'starting') {
      throw new InvalidStateError(`cannot spawn "${name}": the arbiter is ${this.state}`);
    }
    if (this.table.has(aid) || aid === this.aid) {
      throw new ImproperlyConfiguredError(`an actor with aid ${aid} exists already`);
    }
    // Thread actors hold no hub connection, but count against maxConnections too.
    const full = this.hubs.hub.full(this.table.unconnected);
    if (full !== undefined) throw new InvalidStateError(`cannot spawn "${name}": ${full}`);
  }

  private async boot(): Promise<void> {
    const { router } = this;
    const { control, controlName, metrics, signals } = this.options;
    // Loaded only when asked for (a pool of threads needs neither), while the hub starts.
    const controlModule = control !== false ? import('../control/attachControl.js') : undefined;
    controlModule?.catch(() => undefined); // awaited below, after the hub
    this.subscriptions.add(
      await this.hubs.start(({ socket, envelopes }) =>
        router.route(router.linkOf(socket), envelopes),
      ),
    );
    // A process actor that drops its connection unannounced is dead (see ChildTable.linkClosed).
    this.subscriptions.add(
      this.hubs.hub.disconnected$.subscribe((socket) => {
        const aid = router.aidOf(socket);
        if (aid !== undefined) this.table.linkClosed(aid);
      }),
    );
    if (controlModule !== undefined) {
      const { attachControl } = await controlModule;
      const dir = dirname(this.hubPath ?? '');
      this.closers.push(
        await attachControl(this, { dir, name: controlName, signals: signals !== false }),
      );
    }
    if (typeof metrics === 'string' && metrics !== '') {
      const { attachMetrics } = await import('../metrics/attachMetrics.js');
      const served = await attachMetrics(this, metrics);
      this.metricsAddress = served.address;
      this.closers.push(() => served.close());
    }
    // One reaper for its process actors while it runs (started with the first).
    const release = OrphanReaper.shared.hold();
    this.closers.push(() => Promise.resolve(release()));
    await this.started();
    this.loop.addPeriodic(() => {
      this.hubs.hub.ensureListening();
      this.tick();
    }, 1000);
    // Those added with `start: false` are started (and reported) by their owner.
    await this.registry.startAll(this.logger);
    // Warm spares for spawn() outside a pool, once up (not to slow its start); ended at stop.
    for (const [kind, n] of Object.entries(this.options.spares ?? {})) {
      if (n !== undefined && n > 0) this.closers.push(spares.keep(kind as 'process' | 'thread', n));
    }
  }

  protected override deliver(env: Envelope): void {
    this.router.deliver(env);
  }

  protected override async close(): Promise<void> {
    await this.registry.stopAll();
    await this.table.stopAll();
    for (const close of this.closers.splice(0)) await close();
    this.router.close();
    await this.hubs.stop();
    if (getActor() === (this as Actor)) setActor(undefined);
  }
}
