/**
 * The parameters of a monitor: the pool's own settings, and the rest, which
 * every worker is spawned with.
 * @module
 */
import type { Actor } from '../actor/Actor.js';
import type { ActorHooks, Duration, SpawnParams } from '../actor/types.js';
import type { LoadSettings } from './LoadPolicy.js';
import { ConfigError, ImproperlyConfiguredError, type ConfigProblem } from '../errors.js';
import { checkParams, TIMEOUT_FORMATS, type ParamFormat } from '../util/checkParams.js';
import { DEFAULT_RESTART, type RestartSettings } from './RestartPolicy.js';

/**
 * The most workers a pool has: `workers`, `minWorkers`, `maxWorkers`,
 * `resize(n)` and `rxpulsar scale` refuse more. A size past it is a typo or
 * an attack (`scale web 1e9`), not a pool: a machine runs out of processes
 * long before.
 *
 * @example
 * ```ts
 * pool.resize(Math.min(wanted, MAX_POOL_WORKERS));
 * ```
 */
export const MAX_POOL_WORKERS = 1024;

/**
 * The default `maxSpawning` of a pool: the most spawns it has in flight at
 * once. Starting a child blocks the arbiter's loop for a few ms; a pool
 * grown by hundreds starts them as earlier ones settle, so that signals,
 * the control socket and heartbeats are still served meanwhile. A pool of
 * up to this many workers starts them all at once.
 *
 * @example
 * ```ts
 * arbiter().addMonitor('web', { workers: 512, maxSpawning: MAX_SPAWNING / 2 });
 * ```
 */
export const MAX_SPAWNING = 64;

/** Settings of the pool itself (not passed to workers). */
export interface MonitorSettings extends RestartSettings, Partial<LoadSettings> {
  /** Target number of workers (default 1, at most {@link MAX_POOL_WORKERS}). */
  workers: number;
  /** Spawns in flight at once, at most (default {@link MAX_SPAWNING}, at least 1). */
  maxSpawning: number;
  /** Period of the monitor's periodic task, in ms (default 1000). */
  period: number;
  /** A worker that served this many requests is replaced (0: never; default 0). */
  maxRequests: number;
  /** Up to this many requests are added at random to `maxRequests`, per worker (default 10 % of it). */
  maxRequestsJitter: number;
  /** Grace between SIGTERM and SIGKILL for a worker killed for its heartbeat, in ms (default 2000). */
  killGrace: number;
  /**
   * Warm spares kept ready once the pool reached its size (default 1; 0:
   * none): children of its kind with rxpulsar loaded, waiting to become the
   * next worker spawned or replaced. They are no workers of the pool.
   */
  spares: number;
  /**
   * Standby workers (default 0): started with the pool's parameters, their
   * `start` hook run and their handshake done, but given no work and not
   * counted in the pool's size. When a worker dies (a crash, SIGKILL, a
   * missed heartbeat), the pool adopts one at once as its replacement and
   * starts another in the background; a `spawn()` of the pool takes one too.
   */
  standby: number;
  /** May add to the parameters of every worker the monitor spawns. */
  actorParams?: (monitor: Actor, params: Record<string, unknown>) => void;
  /**
   * Hooks of the monitor itself (its other hooks are its workers'):
   * `stopping` is awaited before the workers stop, `periodicTask` runs every
   * tick, `onInfo` may add to its `info()`.
   */
  monitorHooks?: ActorHooks<Actor>;
  scaleUpLoad: number;
  scaleDownLoad: number;
  cooldown: number;
}

/** The pool settings that are durations: parameters take them as the config files do. */
export type DurationKey =
  | 'period'
  | 'killGrace'
  | 'cooldown'
  | 'restartWindow'
  | 'backoffBase'
  | 'backoffMax'
  | 'restartCooldown'
  | 'restartCooldownMax';

/** `arbiter.addMonitor(name, params)` parameters: pool settings and worker parameters. */
export type MonitorParams = SpawnParams &
  Partial<Omit<MonitorSettings, DurationKey>> & { [K in DurationKey]?: Duration };

const DEFAULTS: Omit<MonitorSettings, 'maxRequestsJitter'> = {
  ...DEFAULT_RESTART,
  workers: 1,
  maxSpawning: MAX_SPAWNING,
  period: 1000,
  maxRequests: 0,
  killGrace: 2000,
  spares: 1,
  standby: 0,
  scaleUpLoad: 1,
  scaleDownLoad: 0.1,
  cooldown: 5000,
};

/** How the pool's settings and the workers' timeouts are checked (durations become ms). */
const FORMATS: Readonly<Record<string, ParamFormat>> = {
  ...TIMEOUT_FORMATS,
  concurrency: ['process', 'thread'],
  workers: 'count',
  minWorkers: 'count',
  maxWorkers: 'count',
  maxSpawning: 'count',
  maxRequests: 'count',
  maxRequestsJitter: 'count',
  maxRestarts: 'count',
  period: 'positiveDuration',
  killGrace: 'duration',
  spares: 'count',
  standby: 'count',
  cooldown: 'duration',
  restartWindow: 'duration',
  backoffBase: 'duration',
  backoffMax: 'duration',
  restartCooldown: 'duration',
  restartCooldownMax: 'duration',
  onRestartLimit: ['retry', 'escalate'],
};

const KEYS = new Set([
  ...Object.keys(DEFAULTS),
  'maxRequestsJitter',
  'actorParams',
  'monitorHooks',
  'minWorkers',
  'maxWorkers',
]);

/**
 * What a pool size past {@link MAX_POOL_WORKERS} is told, by `addMonitor()`
 * and the configuration (the `poolSize` format) alike.
 *
 * @example
 * ```ts
 * // workers = "1025" (--workers): must be at most 1024 (MAX_POOL_WORKERS, the most workers a pool has)
 * console.error(`workers = "1025" (--workers): ${POOL_SIZE_EXPECTED}`);
 * ```
 */
export const POOL_SIZE_EXPECTED = `must be at most ${MAX_POOL_WORKERS} (MAX_POOL_WORKERS, the most workers a pool has)`;

/**
 * Check a new size of a pool, as `resize(n)` takes it: a number, at most
 * {@link MAX_POOL_WORKERS} (below 0 counts as 0; fractions are floored).
 *
 * @param n - the size asked for.
 * @param pool - the pool's name, for the error.
 * @returns the size, an integer from 0 to {@link MAX_POOL_WORKERS}.
 * @throws ImproperlyConfiguredError for NaN or a size past {@link MAX_POOL_WORKERS}.
 * @example
 * ```ts
 * checkPoolSize(4.5, 'web'); // 4
 * checkPoolSize(1e9, 'web'); // throws: pool "web" cannot have 1000000000 workers: …
 * ```
 */
export function checkPoolSize(n: number, pool: string): number {
  const to = Math.max(0, Math.floor(n));
  if (!(to <= MAX_POOL_WORKERS)) {
    throw new ImproperlyConfiguredError(
      `pool "${pool}" cannot have ${n} workers: a pool has at most ${MAX_POOL_WORKERS} (MAX_POOL_WORKERS)`,
    );
  }
  return to;
}

/**
 * Split monitor parameters into the pool's settings and the workers' parameters.
 *
 * @param params - what `addMonitor` received.
 * @param name - the monitor's name, for errors.
 * @throws ConfigError naming each bad value (durations take the config files' formats).
 * @returns `settings` with defaults filled in, and `worker` parameters.
 * @example
 * ```ts
 * monitorSettings({ workers: 4, module: './w.js' });
 * // { settings: { workers: 4, period: 1000, … }, worker: { module: './w.js' } }
 * ```
 */
export function monitorSettings(
  params: MonitorParams,
  name = 'monitor',
): {
  settings: MonitorSettings;
  worker: SpawnParams;
} {
  const origin = `addMonitor("${name}")`;
  const checked = checkParams(params, FORMATS, origin);
  const problems: ConfigProblem[] = [];
  const problem = (key: string, expected: string): void => {
    problems.push({ key, value: checked[key], source: 'params', origin, expected });
  };
  for (const key of ['workers', 'minWorkers', 'maxWorkers', 'spares', 'standby'] as const) {
    const n = checked[key];
    if (typeof n === 'number' && n > MAX_POOL_WORKERS) problem(key, POOL_SIZE_EXPECTED);
  }
  const { minWorkers, maxWorkers } = checked;
  if (typeof minWorkers === 'number' && typeof maxWorkers === 'number' && minWorkers > maxWorkers)
    problem('minWorkers', `must be at most maxWorkers (${maxWorkers})`);
  if (checked.maxSpawning === 0) problem('maxSpawning', 'must be at least 1');
  if (problems.length > 0) throw new ConfigError(problems);
  const given: Record<string, unknown> = {};
  const worker: SpawnParams = {};
  for (const [key, value] of Object.entries(checked)) {
    if (value === undefined) continue;
    if (KEYS.has(key)) given[key] = value;
    else worker[key] = value;
  }
  const settings = { ...DEFAULTS, ...given } as MonitorSettings;
  settings.maxRequestsJitter ??= Math.floor(settings.maxRequests / 10);
  return { settings, worker };
}

/**
 * The parameters of a new worker (or standby) of a pool: its worker
 * parameters, its name, its `maxRequests` with jitter, and what the
 * `actorParams` hook adds.
 *
 * @param monitor - the pool (given to `actorParams`).
 * @param worker - the workers' parameters.
 * @param settings - the pool's settings.
 * @returns fresh parameters for one spawn.
 * @example
 * ```ts
 * const params = workerSpawnParams(pool, { module: './w.js' }, pool.settings); // { name: 'pool-worker', … }
 * ```
 */
export function workerSpawnParams(
  monitor: Actor,
  worker: SpawnParams,
  settings: MonitorSettings,
): Record<string, unknown> {
  const { name } = worker;
  const params: Record<string, unknown> = {
    ...worker,
    name: typeof name === 'string' ? name : `${monitor.name}-worker`,
  };
  const { maxRequests, maxRequestsJitter } = settings;
  // The worker knows its limit (with jitter) and reports at once when it reaches it.
  if (maxRequests > 0) {
    params['maxRequests'] = maxRequests + Math.floor(Math.random() * (maxRequestsJitter + 1));
  }
  settings.actorParams?.(monitor, params);
  return params;
}
