/**
 * Record what the loggers of this process write, for tests.
 * @module
 */
import { Writable } from 'node:stream';
import { loadWinston, rootLogger } from './createLogger.js';

/** One captured log line. */
export interface LogRecord {
  /** The winston level (`info`, `warn`…). */
  level: string;
  /** The logged message. */
  message: string;
  /** The logger's label (the actor's name), when it has one. */
  label?: string;
  [key: string]: unknown;
}

/** A running capture: read `records`, then call `restore()`. */
export interface LogCapture {
  /** Every record written since the capture began. */
  readonly records: LogRecord[];
  /** Stop capturing and put the previous level and silence back. */
  restore(): void;
}

/**
 * Capture every log record at `level` or above until `restore()` is called,
 * even while logging is silent.
 *
 * @param level - the lowest level captured (default `debug`).
 * @returns the capture.
 * @example
 * ```ts
 * const logs = captureLogs();
 * try { doSomething(); } finally { logs.restore(); }
 * expect(logs.records.some((r) => r.level === 'error')).to.equal(true);
 * ```
 */
export function captureLogs(level = 'debug'): LogCapture {
  const logger = rootLogger();
  const records: LogRecord[] = [];
  const previous = { silent: logger.silent, level: logger.level };
  const others = logger.transports.slice();
  const stream = new Writable({
    objectMode: true,
    write(record: LogRecord, _enc, done) {
      records.push(record);
      done();
    },
  });
  const transport = new (loadWinston().transports.Stream)({ stream, level });
  for (const t of others) t.silent = true;
  logger.add(transport);
  logger.silent = false;
  logger.level = level;
  return {
    records,
    restore() {
      logger.remove(transport);
      stream.destroy();
      for (const t of others) t.silent = false;
      logger.silent = previous.silent;
      logger.level = previous.level;
    },
  };
}
