/**
 * The switch of the workers' latency histograms: they record request
 * latencies (and send them with their heartbeats) only while their arbiter
 * serves metrics, so that an arbiter without `--metrics` pays nothing.
 * @module
 */
import type { ActorProxy } from '../actor/ActorProxy.js';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { ChildActor } from '../child/ChildActor.js';

/** How many metrics servers each arbiter has (the histograms stay on while one is left). */
const servers = new WeakMap<Arbiter, number>();

/** How long to wait for the actors' acknowledgements (a stuck actor does not hold the arbiter). */
const TELL_WAIT_MS = 1000;

/** Tell one actor to record or not; an actor exiting meanwhile does not matter. */
function tell(arbiter: Arbiter, proxy: ActorProxy, on: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      arbiter.send(proxy, ChildActor.RECORD_LATENCY, on).addBoth(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Tell every running actor; resolves once they all acknowledged, or after {@link TELL_WAIT_MS}. */
async function tellAll(arbiter: Arbiter, on: boolean): Promise<void> {
  const proxies = arbiter.actors;
  if (proxies.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(proxies.map((proxy) => tell(arbiter, proxy, on))),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, TELL_WAIT_MS))),
  ]);
  clearTimeout(timer);
}

/**
 * Turn the latency histograms of `arbiter`'s actors on: those it spawns from
 * now on record from their first request (a spawn parameter), those
 * running already from when they get the news (a command).
 *
 * @param arbiter - the arbiter that starts serving metrics.
 * @returns once every running actor was told; its function turns them off
 *   again when this was the arbiter's last metrics server (and resolves once
 *   they were told).
 * @example
 * ```ts
 * const off = await recordLatency(arbiter);
 * // … serve /metrics …
 * await off();
 * ```
 */
export async function recordLatency(arbiter: Arbiter): Promise<() => Promise<void>> {
  servers.set(arbiter, (servers.get(arbiter) ?? 0) + 1);
  const params = arbiter.events.params$.subscribe(({ params: p }) => {
    p[ChildActor.RECORD_LATENCY] = true;
  });
  // Spawned before, ready after: its parameters did not say so (its
  // handshake carries no histogram).
  const spawned = arbiter.events.actorSpawned$.subscribe((proxy) => {
    const metrics = proxy.info['metrics'] as { latency?: unknown } | undefined;
    if (metrics?.latency === undefined) void tell(arbiter, proxy, true);
  });
  await tellAll(arbiter, true);
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    params.unsubscribe();
    spawned.unsubscribe();
    const left = (servers.get(arbiter) ?? 1) - 1;
    servers.set(arbiter, left);
    if (left > 0) return;
    await tellAll(arbiter, false);
  };
}
