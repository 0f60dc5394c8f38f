/**
 * What a process actor's entry needs to know of how its arbiter starts and
 * watches it, without loading {@link ProcessWorker} and {@link OrphanReaper}
 * (`node:cluster`, `node:child_process`): a child's runtime bundle holds
 * only the modules its entries import.
 * @module
 */

/**
 * Environment variable that carries the child's data (JSON).
 * @example
 * ```ts
 * const raw = process.env[CHILD_DATA_ENV];
 * ```
 */
export const CHILD_DATA_ENV = 'RXPULSAR_ACTOR';

/**
 * How long an orphaned process actor may take to stop by itself before it is killed, in ms.
 * @example
 * ```ts
 * const deadline = Date.now() + ORPHAN_GRACE_MS;
 * ```
 */
export const ORPHAN_GRACE_MS = 1000;
