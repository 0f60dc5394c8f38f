/**
 * The resize policy of a pool with `minWorkers..maxWorkers`: one worker
 * more when in-flight work per worker stays above a threshold, one fewer
 * when the pool stays idle, never more often than the cooldown.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';

/** Settings of the load policy. */
export interface LoadSettings {
  /** Fewest workers. */
  minWorkers: number;
  /** Most workers. */
  maxWorkers: number;
  /** Scale up when in-flight requests per worker stay above this (default 1). */
  scaleUpLoad: number;
  /** Scale down when in-flight requests per worker stay below this (default 0.1). */
  scaleDownLoad: number;
  /** Least time between two resizes, and how long a load must last, in ms (default 5 s). */
  cooldown: number;
}

/** A decision of the policy. */
export interface LoadDecision {
  /** The new target size. */
  to: number;
  /** Why, for the logs (`load 0.92 > 0.75`). */
  reason: string;
}

/**
 * Decides the target size from the load the workers report.
 *
 * @example
 * ```ts
 * const policy = new LoadPolicy({ minWorkers: 1, maxWorkers: 4, scaleUpLoad: 1, scaleDownLoad: 0.1, cooldown: 5000 });
 * policy.decide(2, 6); // after the load lasted `cooldown`: { to: 3, reason: 'load 3.00 per worker > 1' }
 * ```
 */
export class LoadPolicy {
  private lastResize = 0;
  private highSince: number | undefined;
  private lowSince: number | undefined;

  /**
   * @param settings - bounds, thresholds and cooldown.
   * @param now - the clock.
   */
  constructor(
    public settings: LoadSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The policy of a pool whose settings bound its size (`minWorkers` or
   * `maxWorkers`, the other defaulted), its `workers` clamped into them.
   * @param settings - the pool's settings; `workers` is changed in place.
   * @param pool - the pool's name, for the error.
   * @returns the policy, or `undefined` for a pool of fixed size.
   * @throws ImproperlyConfiguredError when minWorkers is above maxWorkers.
   * @example
   * ```ts
   * const policy = LoadPolicy.forPool(settings, 'web'); // settings.workers within the bounds
   * ```
   */
  static forPool(
    settings: Omit<LoadSettings, 'minWorkers' | 'maxWorkers'> &
      Partial<Pick<LoadSettings, 'minWorkers' | 'maxWorkers'>> & { workers: number },
    pool: string,
  ): LoadPolicy | undefined {
    if (settings.minWorkers === undefined && settings.maxWorkers === undefined) return undefined;
    const minWorkers = settings.minWorkers ?? 1;
    const maxWorkers = settings.maxWorkers ?? Math.max(minWorkers, settings.workers);
    if (minWorkers > maxWorkers) {
      throw new ImproperlyConfiguredError(
        `monitor "${pool}": minWorkers (${minWorkers}) is above maxWorkers (${maxWorkers})`,
      );
    }
    settings.workers = Math.min(maxWorkers, Math.max(minWorkers, settings.workers));
    return new LoadPolicy({ ...settings, minWorkers, maxWorkers });
  }

  /**
   * @param size - the current target size.
   * @param inFlight - in-flight requests over all workers.
   * @returns a new size, or `undefined` to keep it.
   */
  decide(size: number, inFlight: number): LoadDecision | undefined {
    const { minWorkers, maxWorkers, scaleUpLoad, scaleDownLoad, cooldown } = this.settings;
    const now = this.now();
    if (size < minWorkers) return this.resize(minWorkers, `below minWorkers ${minWorkers}`, now);
    if (size > maxWorkers) return this.resize(maxWorkers, `above maxWorkers ${maxWorkers}`, now);
    const load = size > 0 ? inFlight / size : inFlight;
    this.highSince = load > scaleUpLoad ? (this.highSince ?? now) : undefined;
    this.lowSince = load < scaleDownLoad ? (this.lowSince ?? now) : undefined;
    if (now - this.lastResize < cooldown) return undefined;
    if (this.highSince !== undefined && now - this.highSince >= cooldown && size < maxWorkers) {
      return this.resize(size + 1, `load ${load.toFixed(2)} per worker > ${scaleUpLoad}`, now);
    }
    if (this.lowSince !== undefined && now - this.lowSince >= cooldown && size > minWorkers) {
      return this.resize(size - 1, `load ${load.toFixed(2)} per worker < ${scaleDownLoad}`, now);
    }
    return undefined;
  }

  private resize(to: number, reason: string, now: number): LoadDecision {
    this.lastResize = now;
    this.highSince = undefined;
    this.lowSince = undefined;
    return { to, reason };
  }
}
