/**
 * An application: a monitor (a pool of workers) in the arbiter, configured
 * by one convict schema, with hooks on both sides. Its module is imported
 * again by every worker process, like Node's `cluster`: the same script, in
 * another role.
 * @module
 */
import { Deferred } from '../async/Deferred.js';
import { ImproperlyConfiguredError, RestartLimitError } from '../errors.js';
import type { Actor } from '../actor/Actor.js';
import { arbiter as getArbiter } from '../arbiter/api.js';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { getActor, getSpawnContext } from '../actor/current.js';
import type { Monitor } from '../monitor/Monitor.js';
import type { Schema } from '../config/Setting.js';
import type { ApplicationConfig } from '../config/settings.js';
import { configureLogging } from '../log/createLogger.js';
import { configErrorOf, standardProblems, type ValueProblem } from './checkAppConfig.js';
import { getCliContext } from './cliContext.js';
import { configureApplication, refuse } from './configureApplication.js';
import { appModule, workerHooks } from './workerHooks.js';
import { registerApplication, unregisterApplication } from './registry.js';

/** Constructor parameters of an application: settings of its schema, plus these. */
export interface ApplicationParams {
  /** The app's name: its monitor's name (default: the class name, lower case). */
  name?: string;
  /** The module workers import again (default: the script that started the arbiter). */
  module?: string | URL;
  /** Exit with code 2 and a message on a configuration error (default `true`); else reject. */
  exitOnConfigError?: boolean;
  /** Command-line flags to read (default: the CLI's, else `process.argv.slice(2)`). */
  argv?: string[];
  /** Free-form values of your own: never checked, found in `app.params.extra` (in workers too). */
  extra?: Record<string, unknown>;
  /** Settings (`workers`, `bind`…); any other key is refused when the app starts. */
  [key: string]: unknown;
}

/**
 * Base class of applications. Subclasses override the hooks they need;
 * `monitor…` hooks run in the arbiter, `worker…` hooks in every worker.
 *
 * @example
 * ```ts
 * class Echo extends Application {
 *   override workerStart(worker: Actor) { worker.command('shout', (_a, s: string) => s.toUpperCase()); }
 * }
 * await new Echo({ workers: 2, module: import.meta.url }).start();
 * ```
 */
export class Application {
  /** Settings this app adds to the schema (subclasses extend it). */
  static settings: Schema = {};
  /**
   * Constructor parameters that are not settings. A subclass that takes
   * more lists them in its own static `constructorParams` (those of the
   * base classes count too); any other key must be a setting, or the start
   * fails with a `ConfigError` ("did you mean…?").
   */
  static constructorParams: readonly string[] = [
    'name',
    'module',
    'exitOnConfigError',
    'argv',
    'extra',
  ];
  /** The app's name. */
  readonly name: string;
  /** The parameters it was constructed with. */
  readonly params: ApplicationParams;
  /**
   * The resolved configuration (after `start()`; in a worker, the
   * arbiter's), typed from the schemas: empty before.
   */
  cfg: ApplicationConfig = {} as ApplicationConfig;
  /** Its monitor, in the arbiter. */
  monitor: Monitor | undefined;
  /** The worker actor running it, in a worker. */
  worker: Actor | undefined;
  private startDeferred: Deferred<unknown> | undefined;

  /** @param params - name, module, settings and free-form parameters. */
  constructor(params: ApplicationParams = {}) {
    this.params = params;
    this.name = params.name ?? new.target.name.toLowerCase();
    // In a worker, the module that built this app was imported again: the
    // worker's hooks find the app here (no need to call start()).
    if (this.isWorker) registerApplication(this);
  }

  /** `true` in a worker process or thread of this app. */
  get isWorker(): boolean {
    return getSpawnContext()?.cfg['app'] === this.name;
  }

  /** The schema of this app: global settings, app settings, the class's own. */
  schema(): Schema {
    return (this.constructor as typeof Application).settings;
  }

  /**
   * Start the app. In the arbiter: read the configuration, create the
   * arbiter if there is none, add the monitor, spawn the workers. In a
   * worker: register the app, whose worker hooks then run.
   *
   * @returns a Deferred fired with the app once it serves (its pool reached its size).
   */
  start(): Deferred<this> {
    return this.startWith(undefined);
  }

  /**
   * @internal Start with a configuration read elsewhere (by a MultiApp).
   * @param cfg - the app's values, or `undefined` to read them.
   * @returns the Deferred of `start()`.
   */
  startWith(cfg: ApplicationConfig | undefined): Deferred<this> {
    if (this.startDeferred !== undefined) return this.startDeferred as Deferred<this>;
    const d = new Deferred<this>();
    this.startDeferred = d;
    if (this.isWorker) {
      d.callback(this);
      return d;
    }
    this.boot(cfg).then(
      () => d.callback(this),
      (err: unknown) => {
        // Under the CLI a failed start stops everything and exits non-zero.
        getCliContext()?.failed?.(err);
        d.errback(err);
      },
    );
    return d;
  }

  /**
   * Stop the app: its monitor stops its workers gracefully. The arbiter keeps
   * running (stop it with `arbiter().stop()`, or a signal).
   * @returns a promise fired once every worker exited.
   */
  async stop(): Promise<void> {
    const monitor = this.monitor;
    if (monitor !== undefined) await monitor.stop();
    unregisterApplication(this);
  }

  // Hooks: override in subclasses. They may return promises.

  /** Arbiter side: the monitor is about to spawn its workers. */
  monitorStart(_monitor: Monitor): unknown {
    return undefined;
  }

  /** Arbiter side: every tick of the monitor's periodic task. */
  monitorTask(_monitor: Monitor): unknown {
    return undefined;
  }

  /** Arbiter side: the monitor begins to stop; awaited, its workers still run. */
  monitorStopping(_monitor: Monitor): unknown {
    return undefined;
  }

  /** Arbiter side: may add keys to the monitor's `info()`. */
  monitorInfo(_monitor: Monitor, _info: Record<string, unknown>): unknown {
    return undefined;
  }

  /** Worker side: the worker starts; it is ready (and counted) once this settles. */
  workerStart(_worker: Actor): unknown {
    return undefined;
  }

  /** Worker side: the worker begins to stop; in-flight work may finish. */
  workerStopping(_worker: Actor): unknown {
    return undefined;
  }

  /** Worker side: may add keys to the worker's `info()`. */
  workerInfo(_worker: Actor, _info: Record<string, unknown>): unknown {
    return undefined;
  }

  /** Arbiter side: may add to the parameters of every worker. */
  actorParams(_monitor: Monitor, _params: Record<string, unknown>): unknown {
    return undefined;
  }

  /**
   * Arbiter side: values that are well formed but cannot work (alone or
   * together), checked once the configuration is read, before anything
   * starts. Any problem fails the start with a `ConfigError` (exit code 2
   * under the CLI). Overrides add theirs to `super.configProblems(cfg)`.
   *
   * @param cfg - the configuration read.
   * @returns the problems: `{ key, expected }` each.
   */
  configProblems(cfg: ApplicationConfig): ValueProblem[] {
    return standardProblems(cfg);
  }

  /** Arbiter side: the configuration was read (it may be changed here). */
  onConfig(_cfg: ApplicationConfig): unknown {
    return undefined;
  }

  /** @internal Worker side: the worker hook calls this, with the arbiter's configuration. */
  workerStarted(worker: Actor): unknown {
    this.worker = worker;
    // The arbiter's values, as it spawned this worker with them (spawn
    // parameters are untyped on the way).
    const given = worker.cfg['appCfg'] as ApplicationConfig | undefined;
    this.cfg = given ?? ({} as ApplicationConfig);
    // The arbiter's logging settings (flags included) apply in workers too.
    if (given !== undefined) {
      configureLogging({
        level: given.debug ? 'debug' : given.logLevel,
        format: given.logFormat,
      });
    }
    return this.workerStart(worker);
  }

  /** Arbiter side: subclasses adjust the configuration here, before `onConfig`. */
  protected async configure(_cfg: ApplicationConfig): Promise<void> {}

  /** Arbiter side: after the pool is ready (subclasses finish their start here). */
  protected async started(): Promise<void> {}

  private async boot(given: ApplicationConfig | undefined): Promise<void> {
    const cfg = given ?? configureApplication(this);
    const invalid = configErrorOf(this.configProblems(cfg), cfg);
    if (invalid !== undefined) refuse(this, invalid);
    this.cfg = cfg;
    await this.configure(cfg);
    await this.onConfig(cfg);
    const current = getActor();
    if (current !== undefined && !current.isArbiter()) {
      throw new ImproperlyConfiguredError(
        `app "${this.name}" must be started from the main process`,
      );
    }
    const a: Arbiter = getArbiter({
      timeout: cfg.timeout,
      exitTimeout: cfg.exitTimeout,
      requestTimeout: cfg.requestTimeout,
      maxMessageSize: cfg.maxMessageSize,
      gracefulTimeout: cfg.gracefulTimeout,
      controlName: cfg.name ?? this.name,
      metrics: cfg.metrics,
      hub: cfg.hub,
      hubCert: cfg.hubCert,
      hubKey: cfg.hubKey,
      hubCa: cfg.hubCa,
      hubSecretFile: cfg.hubSecretFile,
    });
    registerApplication(this);
    // Escalation stops the arbiter: under the CLI the process exits 1 at once.
    a.events.escalated$.subscribe(({ monitor: name, reason }) => {
      if (name !== this.name) return;
      getCliContext()?.failed?.(new RestartLimitError(`app "${name}" escalated: ${reason}`));
    });
    const monitor = a.addMonitor(
      this.name,
      {
        workers: cfg.workers,
        concurrency: cfg.concurrency,
        timeout: cfg.timeout,
        exitTimeout: cfg.exitTimeout,
        requestTimeout: cfg.requestTimeout,
        maxRequests: cfg.maxRequests,
        spares: cfg.spares,
        maxRestarts: cfg.maxRestarts,
        restartWindow: cfg.restartWindow,
        restartCooldown: cfg.restartCooldown,
        onRestartLimit: cfg.onRestartLimit,
        minWorkers: cfg.minWorkers ?? undefined,
        maxWorkers: cfg.maxWorkers ?? undefined,
        period: cfg.period,
        module: appModule(this.params.module),
        name: `${this.name}-worker`,
        app: this.name,
        appCfg: cfg,
        ...workerHooks(),
        actorParams: (m, params) => void this.actorParams(m as Monitor, params),
        monitorHooks: {
          stopping: (m) => this.monitorStopping(m as Monitor),
          periodicTask: (m) => void this.monitorTask(m as Monitor),
          onInfo: (m, info) => void this.monitorInfo(m as Monitor, info),
        },
      },
      { start: false },
    );
    this.monitor = monitor;
    await this.monitorStart(monitor);
    if (a.state === 'initial') await a.start();
    try {
      await monitor.start();
    } catch (err) {
      // No worker could start: stop trying, and say why.
      await monitor.stop();
      unregisterApplication(this);
      throw err;
    }
    await this.started();
  }
}
