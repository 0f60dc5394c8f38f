/**
 * The rxpulsar metrics, read from a {@link MetricsAggregate} at scrape time,
 * as prom-client metric objects (custom collectors: every value is computed
 * when scraped, nothing is pushed).
 * @module
 */
import type { Arbiter } from '../arbiter/Arbiter.js';
import { LATENCY_BUCKETS } from '../actor/LatencyHistogram.js';
import type { ActorSample, MetricsAggregate, PoolLabels, PoolTotals } from './MetricsAggregate.js';

/** One value of a metric, as prom-client's registry prints it. */
export interface MetricValue {
  labels: Record<string, string | number>;
  /** Labels printed after `labels`; prom-client caches their text by the object's identity. */
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

/** A metric a prom-client `Registry` can print (`registerMetric`). */
export interface CollectedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: 'sum';
    values: MetricValue[];
  }>;
  reset(): void;
}

function metric(
  name: string,
  help: string,
  type: CollectedMetric['type'],
  values: () => MetricValue[],
): CollectedMetric {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
}

/** No labels of its own: everything is in `sharedLabels`. */
const NONE: Record<string, string> = Object.freeze({});
/** The `le` label of each bucket, then `+Inf`. */
const LE: Record<string, string>[] = [...LATENCY_BUCKETS.map(String), '+Inf'].map((le) =>
  Object.freeze({ le }),
);

/**
 * The label objects of pools and actors, the same from one scrape to the
 * next: prom-client formats a `sharedLabels` object once and caches its
 * text by identity (a fresh object every time cost a WeakMap entry per line
 * and a third of a scrape). Those a scrape did not use are dropped.
 */
class LabelCache {
  private last = new Map<string, Record<string, string>>();
  private current = new Map<string, Record<string, string>>();

  /** The labels `{ app, monitor }` of a pool, or `{ app, monitor, actor }` of an actor. */
  get(l: PoolLabels, actor?: string): Record<string, string> {
    const key = `${l.app}\0${l.monitor}${actor === undefined ? '' : `\0${actor}`}`;
    let labels = this.current.get(key);
    if (labels === undefined) {
      const fresh: Record<string, string> = { app: l.app, monitor: l.monitor };
      if (actor !== undefined) fresh['actor'] = actor;
      labels = this.last.get(key) ?? Object.freeze(fresh);
      this.current.set(key, labels);
    }
    return labels;
  }

  /** A new scrape begins. */
  turn(): void {
    this.last = this.current;
    this.current = new Map();
  }
}

/**
 * The metrics of an arbiter's actors (names in the README, "Operating").
 *
 * @param source - the running totals.
 * @param arbiter - the arbiter (its pools' sizes and breakers, its own memory).
 * @returns the metric objects, to register with prom-client's `Registry.registerMetric`.
 * @example
 * ```ts
 * for (const m of poolMetrics(agg, arbiter)) registry.registerMetric(m as never);
 * ```
 */
export function poolMetrics(source: MetricsAggregate, arbiter: Arbiter): CollectedMetric[] {
  // One scrape reads every metric in the same turn: compute the totals once.
  let cached: { pools: PoolTotals[]; actors: ActorSample[] } | undefined;
  const cache = new LabelCache();
  const pool = (l: PoolLabels): Record<string, string> => cache.get(l);
  const snapshot = (): { pools: PoolTotals[]; actors: ActorSample[] } => {
    if (cached === undefined) {
      cache.turn();
      cached = { pools: source.pools(), actors: source.actors() };
      setImmediate(() => (cached = undefined));
    }
    return cached;
  };
  const agg = { pools: () => snapshot().pools, actors: () => snapshot().actors };
  const pools = (field: 'requests' | 'messagesIn' | 'messagesOut' | 'restarts') => () =>
    agg.pools().map((p) => ({ labels: NONE, sharedLabels: pool(p), value: p[field] }));
  const actors = (value: (s: ActorSample) => number) => () =>
    agg.actors().map((s) => ({
      labels: NONE,
      sharedLabels: cache.get(s, s.actor),
      value: value(s),
    }));
  const monitors = (value: (m: ReturnType<Arbiter['monitors']['get']> & object) => number) => () =>
    [...arbiter.monitors.values()].map((m) => ({
      labels: NONE,
      sharedLabels: pool({ app: m.name, monitor: m.name }),
      value: value(m),
    }));
  return [
    metric(
      'rxpulsar_requests_total',
      'Requests served by the workers of a pool (exited workers included).',
      'counter',
      pools('requests'),
    ),
    metric(
      'rxpulsar_messages_received_total',
      'Messages received by the actors of a pool.',
      'counter',
      pools('messagesIn'),
    ),
    metric(
      'rxpulsar_messages_sent_total',
      'Messages sent by the actors of a pool.',
      'counter',
      pools('messagesOut'),
    ),
    metric(
      'rxpulsar_restarts_total',
      'Workers of a pool that exited unexpectedly (crash, kill, missed heartbeat).',
      'counter',
      pools('restarts'),
    ),
    metric(
      'rxpulsar_request_duration_seconds',
      'Request latency in the workers of a pool.',
      'histogram',
      () =>
        agg.pools().flatMap((p) => {
          const labels = pool(p);
          let cumulative = 0;
          const buckets = p.latency.counts.map((n, i) => {
            cumulative += n;
            return {
              labels: LE[i]!,
              sharedLabels: labels,
              value: cumulative,
              metricName: 'rxpulsar_request_duration_seconds_bucket',
            };
          });
          return [
            ...buckets,
            {
              labels: NONE,
              sharedLabels: labels,
              value: p.latency.sum,
              metricName: 'rxpulsar_request_duration_seconds_sum',
            },
            {
              labels: NONE,
              sharedLabels: labels,
              value: p.latency.count,
              metricName: 'rxpulsar_request_duration_seconds_count',
            },
          ];
        }),
    ),
    metric(
      'rxpulsar_actor_requests_total',
      'Requests served by one live actor.',
      'counter',
      actors((s) => s.requests),
    ),
    metric(
      'rxpulsar_actor_in_flight',
      'Requests one actor is serving now.',
      'gauge',
      actors((s) => s.inFlight),
    ),
    metric(
      'rxpulsar_actor_event_loop_lag_seconds',
      "How late one actor's last heartbeat ran.",
      'gauge',
      actors((s) => s.lag),
    ),
    metric(
      'rxpulsar_actor_memory_bytes',
      'Resident set size of the process of one actor.',
      'gauge',
      actors((s) => s.memory),
    ),
    metric(
      'rxpulsar_actor_last_report_seconds',
      'Seconds since one actor last reported.',
      'gauge',
      actors((s) => s.lastReport),
    ),
    metric(
      'rxpulsar_actors_silent',
      'Live actors of a pool that missed three heartbeats.',
      'gauge',
      () => {
        const silent = new Map<string, MetricValue>();
        for (const p of agg.pools())
          silent.set(`${p.app}\0${p.monitor}`, { labels: NONE, sharedLabels: pool(p), value: 0 });
        for (const s of agg.actors()) {
          const v = silent.get(`${s.app}\0${s.monitor}`);
          if (v !== undefined && s.silent) v.value++;
        }
        return [...silent.values()];
      },
    ),
    metric(
      'rxpulsar_workers',
      'Live workers of a pool.',
      'gauge',
      monitors((m) => m.managedActors.length),
    ),
    metric(
      'rxpulsar_workers_target',
      'Target size of a pool.',
      'gauge',
      monitors((m) => m.workers),
    ),
    metric(
      'rxpulsar_breaker_open',
      "1 when a pool's restart breaker is open.",
      'gauge',
      monitors((m) => (m.restartPolicy.open ? 1 : 0)),
    ),
    metric(
      'rxpulsar_arbiter_memory_bytes',
      'Resident set size of the arbiter process.',
      'gauge',
      () => [{ labels: {}, value: process.memoryUsage.rss() }],
    ),
  ];
}
