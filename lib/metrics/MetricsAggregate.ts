/**
 * The arbiter's running totals of what its actors report with their
 * heartbeats. A scrape reads them (never asking a worker); when a worker
 * exits, its last counts are folded into its pool's totals, so pool
 * counters never go down when workers are replaced.
 * @module
 */
import type { ActorProxy } from '../actor/ActorProxy.js';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { heartbeatPeriod } from '../child/ChildActor.js';
import type { Subscription } from '../rx.js';
import { LATENCY_BUCKETS, type LatencySnapshot } from '../actor/LatencyHistogram.js';

/** The labels of a pool: its app and its monitor (both empty outside any pool). */
export interface PoolLabels {
  app: string;
  monitor: string;
}

/** Counters of a pool: the folded counts of its dead workers plus its live ones. */
export interface PoolTotals extends PoolLabels {
  requests: number;
  messagesIn: number;
  messagesOut: number;
  restarts: number;
  latency: LatencySnapshot;
}

/** The gauges of one live actor. */
export interface ActorSample extends PoolLabels {
  actor: string;
  requests: number;
  inFlight: number;
  /** Event-loop lag, seconds. */
  lag: number;
  /** Resident set size, bytes. */
  memory: number;
  /** Seconds since its last heartbeat. */
  lastReport: number;
  /** `true` when it missed three heartbeats. */
  silent: boolean;
}

interface Counts {
  requests: number;
  messagesIn: number;
  messagesOut: number;
  latency: LatencySnapshot;
}

const emptyLatency = (): LatencySnapshot => ({
  counts: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
  sum: 0,
  count: 0,
});

function countsOf(proxy: ActorProxy): Counts {
  const info = proxy.info;
  const m = (info['metrics'] ?? {}) as { in?: number; out?: number; latency?: LatencySnapshot };
  return {
    requests: Number(info['requests'] ?? 0),
    messagesIn: Number(m.in ?? 0),
    messagesOut: Number(m.out ?? 0),
    latency: m.latency ?? emptyLatency(),
  };
}

function add(into: PoolTotals, c: Counts): void {
  into.requests += c.requests;
  into.messagesIn += c.messagesIn;
  into.messagesOut += c.messagesOut;
  into.latency.sum += c.latency.sum;
  into.latency.count += c.latency.count;
  c.latency.counts.forEach((n, i) => (into.latency.counts[i] = (into.latency.counts[i] ?? 0) + n));
}

/**
 * Running totals of an arbiter's actors.
 *
 * @example
 * ```ts
 * const agg = new MetricsAggregate(arbiter);
 * agg.pools(); // [{ app: 'web', monitor: 'web', requests: 1234, … }]
 * agg.close();
 * ```
 */
export class MetricsAggregate {
  /** Live actors and their labels, from spawn to exit. */
  private readonly live = new Map<string, { proxy: ActorProxy; labels: PoolLabels }>();
  /** Counts of exited actors, by pool. */
  private readonly folded = new Map<string, PoolTotals>();
  private readonly subscriptions: Subscription[];

  /** @param arbiter - the arbiter whose actors to follow. */
  constructor(private readonly arbiter: Arbiter) {
    for (const proxy of arbiter.actors) this.spawned(proxy);
    this.subscriptions = [
      arbiter.events.actorSpawned$.subscribe((proxy) => this.spawned(proxy)),
      arbiter.events.actorExited$.subscribe((exit) => {
        const entry = this.live.get(exit.aid);
        if (entry === undefined) return;
        this.live.delete(exit.aid);
        const pool = this.pool(entry.labels);
        add(pool, countsOf(entry.proxy));
        const planned = exit.signal === null && exit.exitCode === 0;
        if (!planned && entry.labels.monitor !== '') pool.restarts++;
      }),
    ];
  }

  /** @returns the totals of every pool (dead workers folded in), monitors first. */
  pools(): PoolTotals[] {
    const totals = new Map<string, PoolTotals>();
    const get = (labels: PoolLabels): PoolTotals => {
      const key = `${labels.app}\0${labels.monitor}`;
      let t = totals.get(key);
      if (t === undefined) {
        const f = this.pool(labels);
        t = { ...f, latency: { ...f.latency, counts: [...f.latency.counts] } };
        totals.set(key, t);
      }
      return t;
    };
    for (const m of this.arbiter.monitors.values()) get(this.labelsOf(m.name));
    for (const f of this.folded.values()) get(f);
    for (const { proxy, labels } of this.live.values()) add(get(labels), countsOf(proxy));
    return [...totals.values()];
  }

  /** @returns the gauges of every live actor, from its last heartbeat. */
  actors(): ActorSample[] {
    const now = Date.now();
    return [...this.live.values()].map(({ proxy, labels }) => {
      const info = proxy.info;
      const monitor = this.arbiter.monitors.get(labels.monitor);
      const timeout = monitor?.cfg.timeout ?? this.arbiter.cfg.timeout;
      const since = now - proxy.lastNotified;
      // Written out: `{ ...labels, actor, … }` took V8's slow path, 100 times
      // slower (a millisecond a scrape with 64 actors).
      return {
        app: labels.app,
        monitor: labels.monitor,
        actor: proxy.aid,
        requests: Number(info['requests'] ?? 0),
        inFlight: Number(info['inFlight'] ?? 0),
        lag: Number(info['lag'] ?? 0) / 1000,
        memory: Number(info['memory'] ?? 0),
        lastReport: since / 1000,
        silent: since > 3 * heartbeatPeriod(timeout),
      };
    });
  }

  /** Stop following the arbiter. */
  close(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  private spawned(proxy: ActorProxy): void {
    let monitor = '';
    for (const m of this.arbiter.monitors.values()) {
      if (m.managedActors.some((p) => p.aid === proxy.aid)) monitor = m.name;
    }
    const app = typeof proxy.info['app'] === 'string' ? proxy.info['app'] : monitor;
    this.live.set(proxy.aid, { proxy, labels: { app, monitor } });
  }

  private labelsOf(monitor: string): PoolLabels {
    for (const { labels } of this.live.values()) if (labels.monitor === monitor) return labels;
    for (const f of this.folded.values()) if (f.monitor === monitor) return { app: f.app, monitor };
    return { app: monitor, monitor };
  }

  private pool(labels: PoolLabels): PoolTotals {
    const key = `${labels.app}\0${labels.monitor}`;
    let pool = this.folded.get(key);
    if (pool === undefined) {
      pool = {
        app: labels.app,
        monitor: labels.monitor,
        requests: 0,
        messagesIn: 0,
        messagesOut: 0,
        restarts: 0,
        latency: emptyLatency(),
      };
      this.folded.set(key, pool);
    }
    return pool;
  }
}
