/**
 * A pool's workers as its monitor tracks them, and the parts of its
 * `info()` about its workers and its breaker.
 * @module
 */
import type { ActorProxy } from '../actor/ActorProxy.js';
import type { RestartPolicy } from './RestartPolicy.js';

/** A worker of a pool, as the monitor tracks it. */
export interface PoolWorker {
  proxy: ActorProxy;
  readyAt: number;
  /** Requests after which it is replaced (`maxRequests` with jitter), or Infinity. */
  maxRequests: number;
  /** Being replaced: its successor is on the way. */
  retiring: boolean;
  /** Being stopped or killed by the monitor. */
  stopping: boolean;
}

/**
 * A new worker of a pool, ready now.
 *
 * @param proxy - its proxy, after its handshake.
 * @returns its entry, with the request limit it was given (with its
 *   jitter) as it reported it (Infinity: none).
 * @example
 * ```ts
 * managed.set(proxy.aid, poolWorker(proxy));
 * ```
 */
export function poolWorker(proxy: ActorProxy): PoolWorker {
  const limit = Number(proxy.info['maxRequests'] ?? 0) || Infinity;
  return { proxy, readyAt: Date.now(), maxRequests: limit, retiring: false, stopping: false };
}

/**
 * One worker's line of `monitor.info().actors`.
 *
 * @param worker - the worker.
 * @param now - the time (ms since the epoch), for its age.
 * @returns its identity and load, as its last heartbeat reported it.
 * @example
 * ```ts
 * const actors = workers.map((w) => workerInfo(w, Date.now()));
 * ```
 */
export function workerInfo(worker: PoolWorker, now: number): Record<string, unknown> {
  const { proxy, readyAt, retiring } = worker;
  return {
    aid: proxy.aid,
    name: proxy.name,
    pid: proxy.pid,
    threadId: proxy.threadId,
    state: retiring ? 'retiring' : proxy.info['state'],
    age: (now - readyAt) / 1000,
    requests: proxy.info['requests'],
    inFlight: proxy.info['inFlight'],
    lag: proxy.info['lag'],
    lastNotified: proxy.lastNotified,
    memory: proxy.info['memory'],
  };
}

/**
 * `monitor.info().breaker`: `{ state }`, plus `reason` when not closed and
 * `retryAt` (ms since the epoch) while open with a retry planned.
 *
 * @param policy - the pool's restart policy.
 * @returns the breaker's info.
 * @example
 * ```ts
 * breakerInfo(policy); // { state: 'open', reason: '11 restarts within 60000 ms…', retryAt: 1764470000000 }
 * ```
 */
export function breakerInfo(policy: RestartPolicy): Record<string, unknown> {
  const state = policy.state;
  if (state === 'closed') return { state };
  const retryAt = state === 'open' ? policy.retryAt : 0;
  return { state, reason: policy.reason, ...(retryAt > 0 ? { retryAt } : {}) };
}
