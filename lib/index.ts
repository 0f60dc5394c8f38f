/**
 * rxpulsar: event-driven, actor-based concurrency for Node.js on RxJS.
 *
 * The package entry: an explicit, grouped list of the public names of
 * DESIGN.md. Lower layers first.
 * @module
 */

// Errors: one registry of stable codes.
export {
  RxPulsarError,
  AlreadyCalledError,
  NotCalledError,
  CancelledError,
  TimeoutError,
  ImproperlyConfigured,
  LockedError,
  InvalidStateError,
  CommandNotFound,
  ActorNotFound,
  ActorExitedError,
  EncodingError,
  ProtocolError,
  MessageTooLargeError,
  RemoteError,
  errorRegistry,
} from './errors.js';
export type { RxPulsarErrorOptions } from './errors.js';

// Logging.
export { createLogger, configureLogging, rootLogger } from './log/createLogger.js';
export type { LogLevel, LoggingOptions } from './log/createLogger.js';
export { captureLogs } from './log/captureLogs.js';
export type { LogCapture, LogRecord } from './log/captureLogs.js';
