/**
 * Logging through winston: one root logger per process or thread, and one
 * labelled child per actor (or per component), created with
 * {@link createLogger}.
 *
 * The level comes from {@link configureLogging} or, before that, from the
 * `RXPULSAR_LOG_LEVEL` environment variable (default `info`); the level
 * `silent` turns output off (the test suite's default). `format: 'json'`
 * writes one JSON object a line, for production log shippers.
 * @module
 */
import { createRequire } from 'node:module';
import type winston from 'winston';

const require = createRequire(import.meta.url);
let winstonModule: typeof winston | undefined;

/**
 * winston, loaded on first use: an actor that never logs never pays for it
 * (about 45 ms of start-up). winston is CommonJS, so `require` loads it
 * synchronously.
 *
 * @returns the winston module.
 */
export function loadWinston(): typeof winston {
  return (winstonModule ??= require('winston') as typeof winston);
}

/** The levels rxpulsar logs at, most severe first, plus `silent`. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

/** Options of {@link configureLogging}. */
export interface LoggingOptions {
  /** Minimum level written; `silent` writes nothing. */
  level?: LogLevel;
  /** `text` (default): `time [label] level: message`; `json`: one object a line. */
  format?: 'text' | 'json';
}

const LEVELS = ['error', 'warn', 'info', 'debug', 'silent'];

let root: winston.Logger | undefined;

function textFormat(): winston.Logform.Format {
  return loadWinston().format.combine(
    loadWinston().format.timestamp(),
    loadWinston().format.errors({ stack: true }),
    loadWinston().format.printf((info) => {
      const label = typeof info['label'] === 'string' ? ` [${info['label']}]` : '';
      const stack = typeof info['stack'] === 'string' ? `\n${info['stack']}` : '';
      return `${String(info['timestamp'])}${label} ${info.level}: ${String(info.message)}${stack}`;
    }),
  );
}

function jsonFormat(): winston.Logform.Format {
  return loadWinston().format.combine(
    loadWinston().format.timestamp(),
    loadWinston().format.errors({ stack: true }),
    loadWinston().format.json(),
  );
}

function envLevel(): LogLevel {
  const level = process.env['RXPULSAR_LOG_LEVEL'];
  return level !== undefined && LEVELS.includes(level) ? (level as LogLevel) : 'info';
}

/**
 * The process's (or thread's) root logger, created on first use.
 *
 * @returns the winston logger every child logger writes through.
 * @example
 * ```ts
 * rootLogger().info('hello');
 * ```
 */
export function rootLogger(): winston.Logger {
  if (root === undefined) {
    const level = envLevel();
    const winston = loadWinston();
    root = winston.createLogger({
      level: level === 'silent' ? 'error' : level,
      silent: level === 'silent',
      format: process.env['RXPULSAR_LOG_FORMAT'] === 'json' ? jsonFormat() : textFormat(),
      transports: [
        new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
      ],
    });
    applyLogging(root, configured);
  }
  return root;
}

/**
 * Load winston and create the root logger now, if a warning would be
 * written. A pool calls it once it is up: else the first failure's line (a
 * worker died, replacing it) loads winston then, and a pool's first heal
 * waited for it (50-75 ms on a 2-core machine: 52-74 ms instead of 5-14
 * ms). At a level that drops warnings, nothing is loaded.
 * @example
 * ```ts
 * warmLogging(); // winston is loaded unless the level is `error` or `silent`
 * ```
 */
export function warmLogging(): void {
  if (root === undefined && !belowLevel('warn')) rootLogger();
}

/** What `configureLogging` was given before the root logger existed. */
let configured: LoggingOptions = {};

/**
 * Set the level and format of every logger of this process or thread.
 *
 * @param options - `level` and `format`; omitted keys keep their value.
 * @example
 * ```ts
 * configureLogging({ level: 'debug', format: 'json' });
 * ```
 */
export function configureLogging(options: LoggingOptions): void {
  if (root === undefined) {
    // Kept until the first line is logged: winston loads then, not now.
    configured = {
      ...configured,
      ...(options.level !== undefined && { level: options.level }),
      ...(options.format !== undefined && { format: options.format }),
    };
    return;
  }
  applyLogging(root, options);
}

function applyLogging(logger: winston.Logger, options: LoggingOptions): void {
  if (options.level !== undefined) {
    logger.silent = options.level === 'silent';
    if (options.level !== 'silent') logger.level = options.level;
  }
  if (options.format !== undefined) {
    logger.format = options.format === 'json' ? jsonFormat() : textFormat();
  }
}

/** winston's npm levels, by severity (0 the most severe). */
const SEVERITY: Record<string, number> = {
  error: 0,
  warn: 1,
  info: 2,
  http: 3,
  verbose: 4,
  debug: 5,
  silly: 6,
};

const dropLine = (): void => undefined;

/** `prop` is a logging method whose lines the level configured so far drops. */
function belowLevel(prop: string | symbol): boolean {
  const severity = typeof prop === 'string' ? SEVERITY[prop] : undefined;
  if (severity === undefined) return false;
  const level = configured.level ?? envLevel();
  return level === 'silent' || severity > SEVERITY[level]!;
}

/**
 * A child logger labelled with `name` (and the actor's `aid` when given).
 *
 * @param name - the actor's or component's name, shown in every line.
 * @param aid - the actor id, appended to the label.
 * @returns a winston logger writing through the root logger.
 * @example
 * ```ts
 * const log = createLogger('monitor', 'a1b2c3');
 * log.info('started'); // 2026-… [monitor(a1b2c3)] info: started
 * ```
 */
export function createLogger(name: string, aid?: string): winston.Logger {
  const label = aid === undefined ? name : `${name}(${aid})`;
  let real: winston.Logger | undefined;
  const logger = (): winston.Logger => (real ??= rootLogger().child({ label }));
  // A stand-in that creates the child logger (and loads winston) on first
  // use: a line below the level is dropped without loading it.
  return new Proxy({} as winston.Logger, {
    get(_target, prop) {
      if (root === undefined && belowLevel(prop)) return dropLine;
      const target = logger();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(logger(), prop, value);
    },
    has(_target, prop) {
      return prop in logger();
    },
  });
}
