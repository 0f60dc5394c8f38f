/**
 * The arbiter's monitors, by name: adding one (a unique name), starting
 * those the arbiter owns, forgetting one that stopped.
 * @module
 */
import type winston from 'winston';
import { ImproperlyConfiguredError } from '../errors.js';
import type { Actor } from '../actor/Actor.js';
import { Monitor } from '../monitor/Monitor.js';
import type { MonitorParams } from '../monitor/MonitorParams.js';
import type { Supervisor } from '../monitor/Supervisor.js';

/**
 * The monitors of one arbiter.
 *
 * @example
 * ```ts
 * const registry = new MonitorRegistry(arbiter, local);
 * const pool = registry.add('pool', { workers: 2 });
 * await registry.startAll(logger);
 * ```
 */
export class MonitorRegistry {
  /** The monitors, by name (the Router finds them by name). */
  readonly byName = new Map<string, Monitor>();
  /** Monitors added with `start: false`: their owner (an app) starts them. */
  private readonly startedByOwner = new WeakSet<Monitor>();

  /**
   * @param supervisor - the arbiter, as its monitors see it.
   * @param local - the actors of the arbiter's process, by aid: a monitor is one while it runs.
   */
  constructor(
    private readonly supervisor: Supervisor & { readonly name: string },
    private readonly local: Map<string, Actor>,
  ) {}

  /**
   * Add a monitor.
   * @param name - unique among the monitors and other than the arbiter's.
   * @param params - the pool's settings and its workers' parameters.
   * @param options - `start: false`: its owner starts it.
   * @returns the monitor, not started.
   * @throws ImproperlyConfiguredError when the name is taken.
   */
  add(name: string, params: MonitorParams, options: { start?: boolean }): Monitor {
    const { supervisor } = this;
    if (this.byName.has(name) || name === supervisor.name || name === 'arbiter') {
      throw new ImproperlyConfiguredError(`a monitor or actor named "${name}" exists already`);
    }
    const monitor = new Monitor(supervisor, name, params);
    this.byName.set(name, monitor);
    if (options.start === false) this.startedByOwner.add(monitor);
    this.local.set(monitor.aid, monitor);
    // A stopped monitor leaves: its name can be used again.
    monitor.events.stopped$.subscribe(() => {
      if (this.byName.get(name) === monitor) this.byName.delete(name);
      this.local.delete(monitor.aid);
    });
    return monitor;
  }

  /**
   * Start the monitors the arbiter owns. A pool whose workers cannot start
   * does not stop the arbiter: it logs, backs off and retries until its
   * breaker opens (see its info).
   * @param logger - where a failed start is logged.
   * @returns a promise fired once each start settled.
   */
  async startAll(logger: winston.Logger): Promise<void> {
    const owned = [...this.byName.values()].filter((m) => !this.startedByOwner.has(m));
    await Promise.all(
      owned.map((m) =>
        m.start().then(undefined, (err: unknown) => {
          logger.error(`monitor "${m.name}" could not start a worker: ${String(err)}`);
        }),
      ),
    );
  }

  /**
   * Stop every monitor (and its workers).
   * @returns a promise fired once all stopped.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.byName.values()].map((m) => m.stop()));
  }
}
