/**
 * The error registry of rxpulsar: every error the framework raises is a
 * {@link RxPulsarError} subclass with a stable `code` (`RXP_ERR_…`) and an
 * optional `cause`. The README's error table lists the same codes; a spec
 * keeps the two in step.
 *
 * @example
 * ```ts
 * import { TimeoutError } from 'rxpulsar';
 * try { await send(proxy, 'ping'); }
 * catch (err) { if (err instanceof TimeoutError) console.log(err.code); }
 * ```
 * @module
 */

/** Options accepted by every rxpulsar error constructor. */
export interface RxPulsarErrorOptions {
  /** The underlying error or value that led to this one. */
  cause?: unknown;
}

/**
 * Base class of every rxpulsar error.
 *
 * @example
 * ```ts
 * if (err instanceof RxPulsarError) console.error(err.code, err.message);
 * ```
 */
export class RxPulsarError extends Error {
  /** The stable error code, such as `RXP_ERR_TIMEOUT`. */
  static readonly code: string = 'RXP_ERR_GENERIC';
  /** Stable error code of this instance (the class's `code`). */
  readonly code: string;

  /**
   * @param message - what went wrong, for a person.
   * @param options - `cause`: the error behind this one.
   */
  constructor(message: string, options?: RxPulsarErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = new.target.code;
  }
}

/** A Deferred was fired twice (`callback`/`errback` called again). */
export class AlreadyCalledError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_ALREADY_CALLED';
}

/** A Deferred's `result` was read before it fired. */
export class NotCalledError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_NOT_CALLED';
}

/** A Deferred (or a request) was cancelled. */
export class CancelledError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_CANCELLED';
}

/** Something did not happen in time: a handshake, a request, a graceful stop. */
export class TimeoutError extends RxPulsarError {
  static override readonly code: string = 'RXP_ERR_TIMEOUT';
}

/**
 * A spawned actor sent no handshake within its `timeout` (it is killed). A
 * `TimeoutError` too; its own code tells it from a request's deadline.
 */
export class HandshakeTimeoutError extends TimeoutError {
  static override readonly code = 'RXP_ERR_HANDSHAKE_TIMEOUT';
}

/** Bad configuration or bad parameters given to the framework. */
export class ImproperlyConfiguredError extends RxPulsarError {
  static override readonly code: string = 'RXP_ERR_IMPROPERLY_CONFIGURED';
}

/** A MultiDeferred was locked twice, or a value was added after `lock()`. */
export class LockedError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_LOCKED';
}

/** An operation was attempted in a state that does not allow it. */
export class InvalidStateError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_INVALID_STATE';
}

/** The target actor has no command of that name. */
export class CommandNotFoundError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_COMMAND_NOT_FOUND';
}

/** No actor answers to that aid or name. */
export class ActorNotFoundError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_ACTOR_NOT_FOUND';
}

/** The actor exited (or its connection was lost) before it answered. */
export class ActorExitedError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_ACTOR_EXITED';
}

/** A value cannot travel between actors (a symbol, a WeakMap, a cycle…). */
export class EncodingError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_ENCODING';
}

/** Bytes on the wire that are not a valid rxpulsar message. */
export class ProtocolError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_PROTOCOL';
}

/** A frame larger than `maxMessageSize`. */
export class MessageTooLargeError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_MESSAGE_TOO_LARGE';
}

/**
 * A request refused because its connection already holds too much unsent
 * data (twice `maxMessageSize`): the receiver does not read as fast as it is
 * sent to. Nothing was sent; try again later, or send less.
 */
export class BackpressureError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_BACKPRESSURE';
}

/** A pool crashed past its restart limit and escalated (`onRestartLimit: 'escalate'`). */
export class RestartLimitError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_RESTART_LIMIT';
}

/** An error thrown on another actor that has no class of its own here. */
export class RemoteError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_REMOTE';
}

/** A task names a job the queue does not have. */
export class UnknownJobError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_UNKNOWN_JOB';
}

/** A task option (delay, timeout, retries, priority, id) or a job definition is invalid. */
export class TaskOptionError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_TASK_OPTION';
}

/** A task ran past its `timeout` (its signal was aborted). */
export class TaskTimeoutError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_TASK_TIMEOUT';
}

/** A task was revoked (the reason of its aborted signal). */
export class TaskRevokedError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_TASK_REVOKED';
}

/** The workers running a task died too many times: it fails instead of looping. */
export class WorkerLostError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_WORKER_LOST';
}

/** The task backend (Redis) cannot be reached: nothing was queued. */
export class TaskBackendError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_TASK_BACKEND';
}

/**
 * A Unix socket of the arbiter (its hub, its control socket) cannot listen:
 * its path is over the platform's limit (a long `TMPDIR`), or the bind
 * failed (`cause`: the system's error). A spawn that needed the hub fails
 * with it; the arbiter serves on.
 */
export class ListenError extends RxPulsarError {
  static override readonly code = 'RXP_ERR_LISTEN';
}

/** Where a configuration value came from, lowest precedence first. */
export type ConfigSource = 'default' | 'params' | 'file' | 'env' | 'flag';

/** One bad configuration value (or unknown key) found by `loadConfig()`. */
export interface ConfigProblem {
  /** The setting's camelCase key (for an unknown flag, the flag's name in camelCase). */
  key: string;
  /** The value as given (a string from the environment or a flag), `undefined` if missing. */
  value: unknown;
  /** The kind of source the value came from. */
  source: ConfigSource;
  /** Exactly where: `file /etc/app.json`, `env RXPULSAR_WORKERS`, `--workers`, `params`, `default`. */
  origin: string;
  /** What was expected, for a person: `must be an integer >= 0`, `unknown setting`. */
  expected: string;
}

function formatConfigProblem(problem: ConfigProblem): string {
  const value = problem.value === undefined ? '(no value)' : JSON.stringify(problem.value);
  return `${problem.key} = ${value} (${problem.origin}): ${problem.expected}`;
}

/**
 * The configuration is invalid: unknown keys, wrong types, values out of
 * range, an unreadable or malformed config file. The message has one line
 * per problem (`key = value (origin): expected`); the CLI prints it without
 * a stack trace and exits with {@link ConfigError.exitCode} (2).
 *
 * @example
 * ```ts
 * try { loadConfig({ schema, argv: ['--workers', 'many'] }); }
 * catch (err) {
 *   if (err instanceof ConfigError) { console.error(err.message); process.exitCode = err.exitCode; }
 * }
 * ```
 */
export class ConfigError extends ImproperlyConfiguredError {
  static override readonly code: string = 'RXP_ERR_CONFIG';
  /** Every problem found, lowest-precedence source first (defaults, params, file, env, flags). */
  readonly problems: readonly ConfigProblem[];
  /** The process exit code for a configuration error (2, a usage error). */
  readonly exitCode: number = 2;

  /**
   * @param problems - the problems (the message is built from them), or a
   *   ready message (then `problems` is empty; the codec rebuilds errors so).
   * @param options - `cause`: the error behind this one.
   */
  constructor(problems: string | readonly ConfigProblem[], options?: RxPulsarErrorOptions) {
    super(
      typeof problems === 'string' ? problems : problems.map(formatConfigProblem).join('\n'),
      options,
    );
    this.problems = typeof problems === 'string' ? [] : [...problems];
  }
}

/** Every rxpulsar error class, by code: the registry the README documents. */
export const errorRegistry: Readonly<Record<string, typeof RxPulsarError>> = Object.freeze(
  Object.fromEntries(
    [
      RxPulsarError,
      AlreadyCalledError,
      NotCalledError,
      CancelledError,
      TimeoutError,
      HandshakeTimeoutError,
      ImproperlyConfiguredError,
      LockedError,
      InvalidStateError,
      CommandNotFoundError,
      ActorNotFoundError,
      ActorExitedError,
      EncodingError,
      ProtocolError,
      MessageTooLargeError,
      BackpressureError,
      RestartLimitError,
      RemoteError,
      ConfigError,
      UnknownJobError,
      TaskOptionError,
      TaskTimeoutError,
      TaskRevokedError,
      WorkerLostError,
      TaskBackendError,
      ListenError,
    ].map((cls) => [cls.code, cls]),
  ),
);
