/**
 * Tracking of failures that reach the end of a Deferred's chain with nobody
 * listening. They are logged (at level `error`, with the stack) when the
 * Deferred is garbage-collected or when {@link reportUnhandledErrors} runs,
 * which an actor does when it stops: an error is never swallowed silently.
 *
 * The pending set holds small records (the error only), never the Deferred,
 * so tracking does not keep a Deferred alive.
 * @module
 */
import type winston from 'winston';
import { createLogger } from '../log/createLogger.js';

/** A failure waiting at the end of a chain; internal to `lib/async`. */
export interface UnhandledFailure {
  /** The error (or any rejection reason) nobody consumed. */
  readonly reason: unknown;
}

const pending = new Set<UnhandledFailure>();
const collected = new FinalizationRegistry<UnhandledFailure>((record) => {
  if (pending.delete(record)) log(record.reason);
});
let logger: winston.Logger | undefined;

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`;
  return String(reason);
}

/**
 * Log an error of the Deferred machinery through the `deferred` logger.
 *
 * @internal
 * @example
 * ```ts
 * log(new Error('boom'), 'Error in Deferred observer');
 * ```
 * @param reason - the error or rejection reason.
 * @param what - the start of the message.
 */
export function log(reason: unknown, what = 'Unhandled error in Deferred'): void {
  logger ??= createLogger('deferred');
  logger.error(`${what}: ${describe(reason)}`);
}

/**
 * Start tracking the failure `reason` held by `owner` at the end of its chain.
 *
 * @internal
 * @example
 * ```ts
 * const record = trackUnhandled(deferred, err);
 * ```
 * @param owner - the Deferred holding the failure (held weakly).
 * @param reason - the failure.
 * @returns the record to pass to {@link untrackUnhandled} once it is handled.
 */
export function trackUnhandled(owner: object, reason: unknown): UnhandledFailure {
  const record: UnhandledFailure = { reason };
  pending.add(record);
  collected.register(owner, record, record);
  return record;
}

/**
 * Stop tracking a failure: a callback, `then` or subscriber took it.
 *
 * @internal
 * @example
 * ```ts
 * untrackUnhandled(record);
 * ```
 * @param record - what {@link trackUnhandled} returned.
 */
export function untrackUnhandled(record: UnhandledFailure): void {
  pending.delete(record);
  collected.unregister(record);
}

/**
 * Log every failure currently waiting, unhandled, at the end of a Deferred's
 * chain, and stop tracking them. An actor calls it when it stops.
 *
 * @example
 * ```ts
 * new Deferred().errback(new Error('lost'));
 * reportUnhandledErrors(); // logs "Unhandled error in Deferred: Error: lost …", returns 1
 * ```
 * @returns how many failures were logged.
 */
export function reportUnhandledErrors(): number {
  const records = [...pending];
  for (const record of records) {
    untrackUnhandled(record);
    log(record.reason);
  }
  return records.length;
}
