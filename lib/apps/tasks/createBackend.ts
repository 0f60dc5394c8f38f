/**
 * Make the backend a task queue's configuration names (Redis is loaded
 * only when used).
 * @module
 */
import type { Monitor } from '../../monitor/Monitor.js';
import { EmbeddedBackend } from './EmbeddedBackend.js';
import type { JobSpec } from './jobSpecs.js';
import type { TaskBackend, WorkerFacing } from './TaskBackend.js';

/** A backend that runs tasks on the app's pool. */
export type PoolBackend = TaskBackend & WorkerFacing;

/**
 * @param monitor - the app's monitor.
 * @param specs - the jobs.
 * @param cfg - the app's configuration.
 * @returns the backend (not started).
 * @example
 * ```ts
 * const backend = await createBackend(monitor, specs, app.cfg);
 * ```
 */
export async function createBackend(
  monitor: Monitor,
  specs: Map<string, JobSpec>,
  cfg: Record<string, unknown>,
): Promise<PoolBackend> {
  const url = String(cfg['taskBackend']);
  const common = {
    concurrentTasks: Math.max(1, Number(cfg['concurrentTasks'])),
    resultTtl: Number(cfg['resultTtl']),
    maxDeaths: Math.max(1, Number(cfg['maxDeaths'])),
    abortGrace: Number(cfg['abortGrace']),
    missedTicks: cfg['missedTicks'] === 'skip' ? ('skip' as const) : ('once' as const),
    // A global setting (the hub's frames): the arbiter was made with it.
    maxMessageSize: positiveOr(cfg['maxMessageSize'], Infinity),
  };
  if (url === 'embedded') {
    return new EmbeddedBackend(monitor, specs, { ...common, dataDir: String(cfg['dataDir']) });
  }
  const { RedisBackend } = await import('./RedisBackend.js');
  return new RedisBackend(monitor, specs, {
    ...common,
    url,
    queue: monitor.name,
    lease: Number(cfg['taskLease']),
  });
}

function positiveOr(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
