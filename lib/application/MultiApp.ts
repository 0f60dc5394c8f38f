/**
 * Several applications in one arbiter, configured together: one command
 * line, one config file, one environment. The main app keeps the plain
 * setting names; every other app's non-global settings take its prefix
 * (`--rpc-workers`, `RXPULSAR_RPC_WORKERS`, `rpcWorkers` in a file).
 * @module
 */
import { Deferred } from '../async/Deferred.js';
import { ImproperlyConfiguredError } from '../errors.js';
import { getSpawnContext } from '../actor/current.js';
import { prefixKey } from '../config/names.js';
import { prefixSchema, unprefixValues } from '../config/prefixSchema.js';
import type { AppSchema, ApplicationConfig } from '../config/settings.js';
import type { Application, ApplicationParams } from './Application.js';
import { configErrorOf } from './checkAppConfig.js';
import { getCliContext } from './cliContext.js';
import { appSchema, readConfiguration, refuse, settingParams } from './configureApplication.js';

interface Entry {
  app: Application;
  prefix: string;
}

/**
 * Subclass it and override `build()`, which makes the apps with `newApp()`.
 *
 * @example
 * ```ts
 * class Site extends MultiApp {
 *   *build() {
 *     yield this.newApp(HttpServer, '', { name: 'web', callable: site });
 *     yield this.newApp(HttpServer, 'rpc', { name: 'rpc', callable: rpc.listener, bind: ':8061' });
 *   }
 * }
 * await new Site({ module: import.meta.url }).start(); // rxpulsar site.js --workers 4 --rpc-workers 2
 * ```
 */
export class MultiApp {
  /** Its name, for messages and `--help`. */
  readonly name: string;
  /** Its parameters: `module`, `argv`, `exitOnConfigError` and globals (`logLevel`…). */
  readonly params: ApplicationParams;
  private entries: Entry[] | undefined;
  private startDeferred: Deferred<this> | undefined;

  /** @param params - shared by every app: `module`, `argv`, `exitOnConfigError`, globals. */
  constructor(params: ApplicationParams = {}) {
    this.params = params;
    this.name = params.name ?? new.target.name.toLowerCase();
    // In a worker, the module was imported again: build the apps now, so
    // that the worker's app registers itself (no need to call start()).
    if (getSpawnContext()?.cfg['app'] !== undefined) this.collect();
  }

  /** Make the apps: override it and return (or yield) `newApp(…)` results. */
  build(): Iterable<Application> {
    return [];
  }

  /**
   * Make one app of this MultiApp.
   *
   * @param App - the application class.
   * @param prefix - its setting prefix; `''` for the main app (exactly one).
   * @param params - its parameters (unprefixed names); `module` and `argv` come from the MultiApp.
   * @returns the app.
   */
  newApp<P extends ApplicationParams, A extends Application>(
    App: new (params: P) => A,
    prefix: string,
    params: P,
  ): A {
    const { module, argv, exitOnConfigError } = this.params;
    const app = new App({ module, argv, exitOnConfigError, name: prefix || this.name, ...params });
    (this.entries ??= []).push({ app, prefix });
    return app;
  }

  /** The apps, once built. */
  get apps(): Application[] {
    return (this.entries ?? []).map((e) => e.app);
  }

  /**
   * Build the apps, read one configuration for all, and start each.
   * In a worker, only builds them (each registers itself).
   * @returns a Deferred fired once every app serves.
   */
  start(): Deferred<this> {
    if (this.startDeferred !== undefined) return this.startDeferred;
    const d = new Deferred<this>();
    this.startDeferred = d;
    if (this.entries === undefined) this.collect();
    if (this.apps.some((app) => app.isWorker)) {
      d.callback(this);
      return d;
    }
    this.boot().then(
      () => d.callback(this),
      (err: unknown) => {
        getCliContext()?.failed?.(err);
        d.errback(err);
      },
    );
    return d;
  }

  private collect(): void {
    this.entries = [];
    for (const app of this.build()) {
      if (!this.entries.some((e) => e.app === app)) this.entries.push({ app, prefix: '' });
    }
  }

  /** Stop every app (the arbiter keeps running). */
  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
  }

  private async boot(): Promise<void> {
    const entries = this.entries ?? [];
    const mains = entries.filter((e) => e.prefix === '');
    if (mains.length !== 1) {
      throw new ImproperlyConfiguredError(
        `MultiApp "${this.name}" needs exactly one main app (prefix ''), not ${mains.length}`,
      );
    }
    // The main app's schema holds the standard settings; the others add theirs, prefixed.
    const schema: AppSchema = { ...appSchema(mains[0]!.app) };
    const params: Record<string, unknown> = {};
    for (const { app, prefix } of entries) {
      const own = appSchema(app);
      Object.assign(schema, prefix === '' ? own : prefixSchema(own, prefix));
      for (const [key, value] of Object.entries(settingParams(app, own))) {
        params[prefix === '' || own[key]?.global === true ? key : prefixKey(prefix, key)] = value;
      }
    }
    for (const [key, value] of Object.entries(this.params)) {
      if (schema[key]?.global === true) params[key] = value;
    }
    const values = readConfiguration(this, schema, params);
    const cfgs = entries.map(({ app, prefix }) => {
      const own = appSchema(app);
      // `own` holds the standard settings: the app's values are typed as any app's.
      return prefix === ''
        ? { ...values }
        : (unprefixValues(values, own, prefix) as ApplicationConfig);
    });
    // Every app's values are checked before any app starts.
    entries.forEach(({ app, prefix }, i) => {
      const invalid = configErrorOf(app.configProblems(cfgs[i]!), cfgs[i]!, prefix);
      if (invalid !== undefined) refuse(this, invalid);
    });
    for (const [i, { app }] of entries.entries()) await app.startWith(cfgs[i]);
  }
}
