/**
 * The rows of `rxpulsar ps`: one per worker of every monitor, then one per
 * actor spawned outside any monitor.
 * @module
 */
import type { Arbiter } from '../arbiter/Arbiter.js';

/** One actor, as `rxpulsar ps` shows it. */
export interface PsRow {
  app: string;
  monitor: string;
  aid: string;
  name: string;
  concurrency: string;
  pid: number | null;
  threadId: number | null;
  state: string;
  /** Seconds since it became ready. */
  age: number;
  requests: number;
  inFlight: number;
  /** Resident set size of its process, in bytes. */
  memory: number;
  /** Event-loop lag at its last heartbeat, in ms. */
  lag: number;
  /** Restarts of its pool in the restart window. */
  restarts: number;
  /** Its pool's circuit breaker: `closed` or `open`. */
  breaker: string;
  /** Seconds since its last heartbeat. */
  silent: number;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * The `ps` rows of an arbiter, read from what the actors last reported
 * (no actor is asked anything).
 *
 * @param arbiter - the arbiter.
 * @returns the rows.
 * @example
 * ```ts
 * console.table(psRows(arbiter));
 * ```
 */
export function psRows(arbiter: Arbiter): PsRow[] {
  const now = Date.now();
  const rows: PsRow[] = [];
  const seen = new Set<string>();
  for (const monitor of arbiter.monitors.values()) {
    const info = monitor.info();
    const breaker = (info['breaker'] as { state?: string } | undefined)?.state ?? 'closed';
    const byAid = new Map(monitor.managedActors.map((p) => [p.aid, p]));
    for (const a of info['actors'] as Record<string, unknown>[]) {
      const aid = str(a['aid'], '');
      seen.add(aid);
      const proxy = byAid.get(aid);
      rows.push({
        app: str(proxy?.info['app'], monitor.name),
        monitor: monitor.name,
        aid,
        name: str(a['name'], ''),
        concurrency: proxy?.concurrency ?? '',
        pid: (a['pid'] as number | undefined) ?? null,
        threadId: (a['threadId'] as number | undefined) ?? null,
        state: str(a['state'], 'starting'),
        age: num(a['age']),
        requests: num(a['requests']),
        inFlight: num(a['inFlight']),
        memory: num(a['memory']),
        lag: num(a['lag']),
        restarts: num(info['restarts']),
        breaker,
        silent: (now - num(a['lastNotified'])) / 1000,
      });
    }
  }
  for (const proxy of arbiter.actors) {
    if (seen.has(proxy.aid)) continue;
    const i = proxy.info;
    rows.push({
      app: '',
      monitor: '',
      aid: proxy.aid,
      name: proxy.name,
      concurrency: proxy.concurrency,
      pid: proxy.pid ?? null,
      threadId: proxy.threadId ?? null,
      state: str(i['state'], ''),
      age: num(i['uptime']),
      requests: num(i['requests']),
      inFlight: num(i['inFlight']),
      memory: num(i['memory']),
      lag: num(i['lag']),
      restarts: 0,
      breaker: '',
      silent: (now - proxy.lastNotified) / 1000,
    });
  }
  return rows;
}
