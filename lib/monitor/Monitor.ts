/**
 * A monitor: a pool of worker actors kept alive by the arbiter's process.
 * @module
 */
import { Deferred } from '../async/Deferred.js';
import { Actor } from '../actor/Actor.js';
import { ActorProxyDeferred, type ActorProxy } from '../actor/ActorProxy.js';
import type { ActorExit } from '../actor/ArbiterEvents.js';
import { newAid } from '../actor/aid.js';
import type { Envelope } from '../transport/protocol.js';
import { splitParams } from '../actor/splitParams.js';
import { DEFAULT_TIMEOUTS, type SpawnParams } from '../actor/types.js';
import { LoadPolicy } from './LoadPolicy.js';
import { MonitorEvents } from './MonitorEvents.js';
import { checkPoolSize, monitorSettings, workerSpawnParams } from './MonitorParams.js';
import type { MonitorParams, MonitorSettings } from './MonitorParams.js';
import { BreakerWatch } from './BreakerWatch.js';
import { breakerInfo, poolWorker, workerInfo, type PoolWorker } from './poolInfo.js';
import { RestartPolicy } from './RestartPolicy.js';
import { Standbys } from './Standbys.js';
import type { Supervisor } from './Supervisor.js';
import { spares } from '../child/startWorker.js';
import { warmLogging } from '../log/createLogger.js';

/**
 * A pool: keeps `workers` actors of its `concurrency` alive, replaces the
 * ones that die, hang or served `maxRequests`, and resizes. Create it with
 * `arbiter.addMonitor(name, params)`. Its `periodicTask$` stream drives it.
 *
 * @example
 * ```ts
 * const pool = a.addMonitor('pool', { workers: 4, concurrency: 'thread', module: './worker.js' });
 * pool.events.resized$.subscribe((e) => console.log(e.from, '→', e.to, e.reason));
 * pool.resize(8);
 * ```
 */
export class Monitor extends Actor {
  override readonly events: MonitorEvents<Actor> = new MonitorEvents<Actor>();
  /** The pool's settings (workers, period, policies…). */
  readonly settings: MonitorSettings;
  /** The circuit breaker and backoff. */
  readonly restartPolicy: RestartPolicy;
  private readonly loadPolicy: LoadPolicy | undefined;
  private readonly workerParams: SpawnParams;
  private readonly managed = new Map<string, PoolWorker>();
  private readonly spawning = new Map<string, ActorProxyDeferred>();
  private startDeferred: Deferred<this> | undefined;
  private readonly breaker: BreakerWatch;
  /** Started workers kept ready to replace one that dies (see `standby`), and the warm spares. */
  private readonly standbys: Standbys;

  /**
   * @param arbiter - its supervisor (the arbiter), whose process and loop the monitor shares.
   * @param name - the monitor's name (unique in the arbiter).
   * @param params - pool settings plus the parameters of every worker.
   */
  constructor(
    private readonly arbiter: Supervisor,
    name: string,
    params: MonitorParams = {},
  ) {
    const { settings, worker } = monitorSettings(params, name);
    const { timeouts } = splitParams(worker);
    super({
      aid: newAid(),
      name,
      concurrency: 'monitor',
      cfg: { ...DEFAULT_TIMEOUTS, ...timeouts, ...settings },
      loop: arbiter.loop,
      hooks: settings.monitorHooks ?? {},
    });
    this.settings = settings;
    this.workerParams = { ...worker, concurrency: params.concurrency ?? 'process' };
    this.restartPolicy = new RestartPolicy(settings);
    this.breaker = new BreakerWatch(this.restartPolicy, this.logger);
    this.loadPolicy = LoadPolicy.forPool(settings, name);
    this.standbys = new Standbys({
      logger: this.logger,
      wanted: () => (this.state === 'running' && arbiter.adoptStandby ? settings.standby : 0),
      canStart: () => this.restartPolicy.canSpawn(),
      spawn: () => {
        const params = workerSpawnParams(this, this.workerParams, this.settings);
        return spares.claim(this.aid, () => arbiter.spawn(params, { standby: true }));
      },
      stop: (aid) => arbiter.stopActor(aid),
    });
  }

  /** The target size of the pool. */
  get workers(): number {
    return this.settings.workers;
  }

  /** Proxies of the running workers (retiring ones included). */
  get managedActors(): ActorProxy[] {
    return [...this.managed.values()].map((w) => w.proxy);
  }

  /** Proxies of the ready standbys (see `standby`): no workers of the pool until adopted. */
  get standbyActors(): ActorProxy[] {
    return this.standbys.proxies;
  }

  /** Deferreds of the workers being spawned. */
  get spawningActors(): ActorProxyDeferred[] {
    return [...this.spawning.values()];
  }

  /**
   * Start the periodic task and spawn the workers.
   * @returns a Deferred fired with the monitor once the pool first reaches its size.
   */
  start(): Deferred<this> {
    if (this.startDeferred !== undefined) return this.startDeferred;
    const d = new Deferred<this>();
    this.startDeferred = d;
    this.state = 'running';
    this.subscriptions.add(this.arbiter.events.actorExited$.subscribe((exit) => this.lost(exit)));
    const periodic = this.loop.addPeriodic(() => this.tick(), this.settings.period);
    this.subscriptions.add(() => periodic.stop());
    this.events._start.next(this);
    this.spawnActors();
    this.checkReady();
    return d;
  }

  /**
   * Change the pool's size; workers are spawned or stopped (oldest first) at once.
   * @param n - the new size (below 0: 0).
   * @param reason - why, for `resized$` (default `manual`).
   * @throws ImproperlyConfiguredError past `MAX_POOL_WORKERS` (1024), or NaN; the size stays.
   */
  resize(n: number, reason = 'manual'): void {
    const to = checkPoolSize(n, this.name);
    const from = this.settings.workers;
    if (to === from) return;
    this.settings.workers = to;
    this.logger.info(`resized ${from} → ${to} (${reason})`);
    this.events._resized.next({ monitor: this.name, from, to, reason });
    this.spawnActors();
    this.stopActors();
  }

  /**
   * Spawn one worker now, with the monitor's parameters (`actorParams` and
   * `onParams` hooks may add to them).
   * @returns the Deferred of its proxy.
   */
  spawn(): ActorProxyDeferred {
    this.restartPolicy.spawned();
    // A standby is adopted at once: it is announced as the pool's new worker.
    const standby = this.standbys.take();
    if (standby !== undefined) {
      // In the pool before it is announced (metrics label it so).
      this.managed.set(standby.aid, poolWorker(standby));
      if (this.arbiter.adoptStandby?.(standby.aid) === true) {
        const d = new ActorProxyDeferred(standby.aid, standby.name);
        // It started long ago: the backoff of the death it heals still
        // holds for the next start (its successor standby).
        this.restartPolicy.adopted();
        this.adopt(standby);
        d.callback(standby);
        return d;
      }
      // Ending or being stopped after all: a fresh spawn instead.
      this.managed.delete(standby.aid);
      this.logger.warn(`standby ${standby.aid} could not be adopted: stopping it`);
      void this.arbiter.stopActor(standby.aid);
    }
    const params = workerSpawnParams(this, this.workerParams, this.settings);
    // The pool's spares are for its own workers.
    const d = spares.claim(this.aid, () => this.arbiter.spawn(params));
    this.spawning.set(d.aid, d);
    d.addCallbacks(
      (proxy) => {
        this.spawning.delete(d.aid);
        this.managed.set(proxy.aid, poolWorker(proxy));
        this.restartPolicy.started();
        this.adopt(proxy);
        return proxy;
      },
      (err: unknown) => {
        this.spawning.delete(d.aid);
        this.failed(err);
        return undefined;
      },
    );
    return d;
  }

  /**
   * Spawn workers up to the target, unless the breaker is open or a backoff
   * runs (then a respawn is planned for when it ends); half-open, one trial
   * worker at a time until one starts. At most `maxSpawning` are on their
   * way: each one that settles calls this again.
   */
  spawnActors(): void {
    if (this.state !== 'running') return;
    // A change of the breaker's state is logged; past the limit, it may escalate.
    this.breaker.watch((reason) => this.arbiter.escalate(this.name, reason));
    // Adopting a standby (nothing to start) waits for no backoff.
    const policy = this.restartPolicy;
    const standby = (): boolean => this.standbys.count > 0 && policy.state === 'closed';
    const room = (): boolean => this.spawning.size < this.settings.maxSpawning;
    while (this.active() < this.settings.workers && room() && (standby() || policy.canSpawn()))
      this.spawn();
    if (this.active() >= this.settings.workers) this.standbys.fill();
    else if (room()) this.breaker.planRespawn(this.loop, () => this.spawnActors());
  }

  /** Stop the surplus of workers gracefully, oldest first. */
  stopActors(): void {
    let surplus = this.active() - this.settings.workers;
    for (const worker of this.managed.values()) {
      if (surplus <= 0) break;
      if (worker.retiring || worker.stopping) continue;
      this.retire(worker, 'pool shrank');
      surplus--;
    }
  }

  /**
   * Look after the workers: kill those whose heartbeat is older than
   * `timeout`, replace those that served `maxRequests`.
   */
  manageActors(): void {
    const now = Date.now();
    this.standbys.check(now, this.cfg.timeout, this.settings.killGrace);
    for (const worker of this.managed.values()) {
      if (worker.stopping) continue;
      const silent = now - worker.proxy.lastNotified;
      if (silent > this.cfg.timeout) {
        this.logger.warn(
          `worker ${worker.proxy.aid} sent no heartbeat for ${silent} ms: killing it`,
        );
        this.restartPolicy.restarted(`worker ${worker.proxy.aid} missed its heartbeat`);
        worker.stopping = true;
        void worker.proxy.worker?.terminate(this.settings.killGrace);
      } else if (!worker.retiring && Number(worker.proxy.info['requests']) >= worker.maxRequests) {
        this.logger.info(
          `worker ${worker.proxy.aid} served ${worker.maxRequests} requests: replacing it`,
        );
        worker.retiring = true;
      }
    }
  }

  /**
   * Replace every worker, a few at a time: each successor is ready before
   * its predecessor stops (a rolling restart, as on SIGHUP).
   */
  restartWorkers(): void {
    void this.standbys.stopAll(); // started with the old code
    for (const worker of this.managed.values()) if (!worker.stopping) worker.retiring = true;
    this.spawnActors();
  }

  override info(): Record<string, unknown> {
    const now = Date.now();
    return {
      ...super.info(),
      workers: this.settings.workers,
      workerConcurrency: this.workerParams.concurrency,
      spawning: this.spawning.size,
      ...(this.settings.standby > 0 ? { standby: this.standbys.count } : {}),
      restarts: this.restartPolicy.recentRestarts,
      breaker: breakerInfo(this.restartPolicy),
      actors: [...this.managed.values()].map((w) => workerInfo(w, now)),
    };
  }

  protected override resolveTarget(to: string): string {
    return this.arbiter.resolveName(to);
  }

  protected override deliver(env: Envelope): void {
    this.arbiter.deliverFor(env);
  }

  protected override async close(): Promise<void> {
    this.subscriptions.unsubscribe();
    this.breaker.cancel();
    const aids = [...this.managed.keys(), ...this.spawning.keys()];
    for (const d of this.spawning.values()) d.addErrback(() => undefined);
    const standbys = this.standbys.release();
    await Promise.all(aids.map((aid) => this.arbiter.stopActor(aid)));
    await standbys;
    this.startDeferred?.addErrback(() => undefined);
  }

  /**
   * @internal A worker of this pool reported (heartbeat, or its request
   * limit reached): replace it at once if it served its `maxRequests`.
   * @param aid - the worker.
   */
  notified(aid: string): void {
    const worker = this.managed.get(aid);
    if (worker === undefined || worker.retiring || worker.stopping) return;
    if (Number(worker.proxy.info['requests']) >= worker.maxRequests) {
      this.logger.info(`worker ${aid} served ${worker.maxRequests} requests: replacing it`);
      worker.retiring = true;
      this.spawnActors();
    }
  }

  /** One tick of the periodic task. */
  protected override tick(): void {
    if (this.state !== 'running') return;
    this.manageActors();
    if (this.loadPolicy !== undefined) {
      let inFlight = 0;
      for (const w of this.managed.values()) inFlight += Number(w.proxy.info['inFlight'] ?? 0);
      const decision = this.loadPolicy.decide(this.settings.workers, inFlight);
      if (decision !== undefined) this.resize(decision.to, decision.reason);
    }
    this.spawnActors();
    this.stopActors();
    super.tick();
  }

  /** Workers counted towards the target: running (not retiring) and spawning. */
  private active(): number {
    let n = this.spawning.size;
    for (const w of this.managed.values()) if (!w.retiring && !w.stopping) n++;
    return n;
  }

  /** A new worker (in `managed` already) is ready: one retiring predecessor may go. */
  private adopt(proxy: ActorProxy): void {
    if (this.state !== 'running') {
      void this.arbiter.stopActor(proxy.aid);
      return;
    }
    // A successor is ready: one retiring predecessor may go.
    for (const worker of this.managed.values()) {
      if (worker.retiring && !worker.stopping) {
        this.retire(worker, 'replaced');
        break;
      }
    }
    this.checkReady();
    // Half-open, the trial worker started: the rest of the pool may follow.
    this.spawnActors();
  }

  private retire(worker: PoolWorker, why: string): void {
    worker.retiring = true;
    worker.stopping = true;
    this.logger.debug(`stopping worker ${worker.proxy.aid} (${why})`);
    void this.arbiter.stopActor(worker.proxy.aid);
  }

  private failed(err: unknown): void {
    // Spawns cut short by the monitor's own stop are no failures.
    if (this.state !== 'running') return;
    this.restartPolicy.failedStart(err);
    this.logger.warn(
      `a worker failed to start: ${err instanceof Error ? err.message : String(err)}`,
    );
    // A pool that never had a worker fails its start at once, with the
    // worker's error; it keeps trying in the background (with backoff).
    const d = this.startDeferred;
    if (d !== undefined && !d.called && this.managed.size === 0) {
      d.errback(err instanceof Error ? err : new Error(String(err)));
    }
    this.spawnActors();
  }

  /**
   * @internal A worker of this pool exited: replace it. Its arbiter calls
   * this as soon as it sees the exit, before it fails what waited on the
   * worker (then `actorExited$` comes, and finds it gone).
   * @param exit - who, and how.
   */
  lost(exit: ActorExit): void {
    if (this.standbys.lost(exit.aid)) return;
    const worker = this.managed.get(exit.aid);
    if (worker === undefined) return;
    this.managed.delete(exit.aid);
    const unplanned = !worker.stopping && this.state === 'running';
    const how = exit.signal ?? `code ${exit.exitCode}`;
    if (unplanned) this.restartPolicy.restarted(`worker ${exit.aid} exited (${how})`);
    this.spawnActors();
    // Logged once the replacement is on its way: a line costs ~1 ms.
    if (unplanned) this.logger.warn(`worker ${exit.aid} exited (${how}): replacing it`);
  }

  private checkReady(): void {
    const d = this.startDeferred;
    if (d !== undefined && !d.called && this.managed.size >= this.settings.workers) {
      // Spares and standbys warm up once the pool is up, not to slow its
      // start down; so does the logger, before the first failure needs it.
      if (this.state === 'running') {
        const kind = this.workerParams.concurrency ?? 'process';
        this.standbys.warm(kind, this.settings.spares, this.aid);
        this.loop.addCallback(warmLogging);
      }
      d.callback(this);
    }
  }
}
