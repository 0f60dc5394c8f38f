/**
 * The standard settings: {@link globalSettings} of the whole process and
 * {@link appSettings} of every application. An app class extends them with
 * its own: `{ ...globalSettings, ...appSettings, ...mySettings }`.
 *
 * Defaults are the ones the actor layer already uses (`DEFAULT_TIMEOUTS`,
 * the monitor's `period`, the hub's 64 MiB frame limit), so an app started
 * without configuration behaves as a hand-built arbiter does.
 * @module
 */
import { MAX_POOL_WORKERS } from '../monitor/MonitorParams.js';
import type { ConfigValues, Schema } from './Setting.js';

/** The definitions of {@link globalSettings}, typed as written (for {@link ConfigValues}). */
const globalDefs = {
  config: {
    doc: 'JSON configuration file; relative paths are resolved from the current directory.',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
  logLevel: {
    doc: 'Minimum level logged.',
    format: ['error', 'warn', 'info', 'debug', 'silent'],
    default: 'info',
    global: true,
  },
  logFormat: {
    doc: 'Log lines as text (time [label] level: message) or one JSON object a line.',
    format: ['text', 'json'],
    default: 'text',
    global: true,
  },
  debug: {
    doc: 'Debug mode: log at debug level and report errors with their stacks.',
    format: 'bool',
    default: false,
    global: true,
  },
  pidFile: {
    doc: 'Write the arbiter pid to this file; one a live process holds makes the start fail (exit 1).',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
  name: {
    doc: "Name of this arbiter for `rxpulsar ps`, `shell`… `--name` (default: the app's).",
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'NAME',
  },
  metrics: {
    doc: 'Serve Prometheus metrics at `http://HOST:PORT/metrics` (default: off).',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'HOST:PORT',
  },
  maxMessageSize: {
    doc: 'Largest message frame between actors, in characters; a connection holding twice this unsent refuses requests (BackpressureError).',
    format: 'count',
    default: 64 * 1024 * 1024,
    global: true,
  },
  hub: {
    doc: 'Also listen for other machines at `tls://HOST:PORT` (TLS and --hub-secret-file required).',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'URL',
  },
  hubCert: {
    doc: 'PEM certificate file of the TLS hub.',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
  hubKey: {
    doc: 'PEM private key file of the TLS hub.',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
  hubCa: {
    doc: 'PEM CA file: peers of the TLS hub must show a certificate it signed (mutual TLS).',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
  hubSecretFile: {
    doc: 'File holding the secret (16+ bytes) peers of the TLS hub prove, never sent.',
    format: String,
    default: null,
    nullable: true,
    global: true,
    placeholder: 'FILE',
  },
} as const satisfies Schema;
/**
 * Settings of the whole process: never prefixed in a `MultiApp`.
 *
 * `maxMessageSize` is here, not in {@link appSettings}: it limits the frames
 * of the arbiter's hub, which every app of the process shares.
 *
 * @example
 * ```ts
 * loadConfig({ schema: globalSettings, argv: ['--log-level', 'debug'] }).values.logLevel; // 'debug'
 * ```
 */
export const globalSettings: Schema = globalDefs;

/** The definitions of {@link appSettings}, typed as written (for {@link ConfigValues}). */
const appDefs = {
  workers: {
    doc: `Worker actors of the app, at most ${MAX_POOL_WORKERS} (0: none until scaled up, SIGTTIN or resize()).`,
    format: 'poolSize',
    default: 1,
    short: 'w',
  },
  concurrency: {
    doc: 'Workers are child processes or worker threads.',
    format: ['process', 'thread'],
    default: 'process',
  },
  minWorkers: {
    doc: 'With maxWorkers: resize the pool by load, from this many workers.',
    format: 'poolSize',
    default: null,
    nullable: true,
  },
  maxWorkers: {
    doc: 'With minWorkers: resize the pool by load, up to this many workers.',
    format: 'poolSize',
    default: null,
    nullable: true,
  },
  period: {
    doc: "Interval of the monitor's periodic task (heartbeats, respawns, resizing).",
    format: 'duration',
    default: '1 second',
  },
  timeout: {
    doc: 'A worker silent (no heartbeat, no handshake) for this long is killed and replaced.',
    format: 'duration',
    default: '30 seconds',
  },
  gracefulTimeout: {
    doc: 'On SIGTERM, how long workers may finish their work before the app stops them.',
    format: 'duration',
    default: '30 seconds',
  },
  exitTimeout: {
    doc: 'How long a stopping actor may take to exit before it is killed.',
    format: 'duration',
    default: '5 seconds',
  },
  requestTimeout: {
    doc: 'Deadline of every request an actor sends (TimeoutError after it).',
    format: 'duration',
    default: '30 seconds',
  },
  maxRequests: {
    doc: 'A worker that served this many requests is replaced (0: never).',
    format: 'count',
    default: 0,
  },
  spares: {
    doc: 'Warm spares kept ready (rxpulsar loaded) to become the next worker started (0: none).',
    format: 'poolSize',
    default: 1,
  },
  maxRestarts: {
    doc: 'Restarts (crashes, failed starts, heartbeat kills) allowed within restartWindow before the breaker opens.',
    format: 'count',
    default: 10,
  },
  restartWindow: {
    doc: 'The window maxRestarts counts in; also how long a half-open breaker stays on trial.',
    format: 'duration',
    default: '1 minute',
  },
  restartCooldown: {
    doc: 'How long an open breaker waits before it goes half-open and tries one worker; doubles each time it opens again (up to 5 minutes).',
    format: 'duration',
    default: '30 seconds',
  },
  onRestartLimit: {
    doc: 'Past maxRestarts: retry (the breaker opens, cools down, then goes half-open) or escalate (the app stops and the process exits 1, like an Erlang supervisor).',
    format: ['retry', 'escalate'],
    default: 'retry',
  },
} as const satisfies Schema;
/**
 * Settings of every application (each `MultiApp` member has its own, prefixed).
 *
 * `workers` defaults to 1, not `os.availableParallelism()`: the number of
 * processes a server forks should be a decision of whoever deploys it (a
 * container's CPU quota is not what Node reports), and one worker keeps
 * development and tests light.
 *
 * @example
 * ```ts
 * const schema = { ...globalSettings, ...appSettings };
 * loadConfig({ schema, argv: ['-w', '4'] }).values.workers; // 4
 * ```
 */
export const appSettings: Schema = appDefs;

/** The definitions of {@link serverSettings}, typed as written (for {@link ConfigValues}). */
const serverDefs = {
  bind: {
    doc: 'Address servers listen on: HOST:PORT (port 0: any free port) or a socket path.',
    format: 'bind',
    default: '127.0.0.1:8060',
    short: 'b',
    placeholder: 'HOST:PORT',
  },
  backlog: {
    doc: 'Pending connections the listening socket queues.',
    format: 'count',
    default: 511,
  },
  keepAlive: {
    doc: 'How long an idle keep-alive connection stays open (HTTP; 0: no limit), or the TCP keep-alive probe delay (SocketServer).',
    format: 'duration',
    default: '5 seconds',
  },
} as const satisfies Schema;
/**
 * Settings of the server apps (`HttpServer`, `SocketServer`): their
 * `ServerApp.settings`, so they appear in `--help` and are accepted only
 * for a server app.
 *
 * @example
 * ```ts
 * loadConfig({ schema: { ...globalSettings, ...appSettings, ...serverSettings }, argv: ['-b', ':0'] });
 * ```
 */
export const serverSettings: Schema = serverDefs;

/** The values of {@link globalSettings} once loaded (durations in milliseconds). */
export type GlobalConfig = ConfigValues<typeof globalDefs>;

/** The values of every application: {@link globalSettings} and {@link appSettings}. */
export type AppConfig = GlobalConfig & ConfigValues<typeof appDefs>;

/** The values of {@link serverSettings} once loaded. */
export type ServerConfig = ConfigValues<typeof serverDefs>;

/**
 * @internal The standard settings of an application ({@link globalSettings}
 * and {@link appSettings}) typed as written, for {@link AppSchema}.
 */
export const standardSettings = { ...globalDefs, ...appDefs };

/**
 * The schema of an application: the standard settings and its own. An app
 * may override a standard setting (its default, its doc) but keeps its
 * format, so the standard values keep their types.
 */
export type AppSchema = typeof standardSettings & Schema;

/**
 * An application's values (`app.cfg`): the standard ones typed from their
 * schemas (`cfg.workers` is a number, `cfg.concurrency` `'process' |
 * 'thread'`), the app's own `unknown` until its class narrows them.
 *
 * @example
 * ```ts
 * const cfg: ApplicationConfig = app.cfg;
 * const ms: number = cfg.timeout;
 * ```
 */
export type ApplicationConfig = ConfigValues<AppSchema>;

/** A server app's values (`HttpServer`, `SocketServer`): an app's and {@link serverSettings}. */
export type ServerAppConfig = ApplicationConfig & ServerConfig;
