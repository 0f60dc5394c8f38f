/**
 * The two messaging measurements, for any request function: round trip
 * with one request in flight, and throughput with many in flight.
 * @module
 */
import { median } from './stats.js';

/** Sends one payload and settles with the echoed reply. */
export type Requester = (payload: unknown) => PromiseLike<unknown>;

/**
 * Median round trip of `count` sequential requests.
 *
 * @param request - the transport under test.
 * @param payload - what each request carries.
 * @param count - how many requests, one after the other.
 * @returns the median round-trip time in microseconds.
 * @example
 * ```ts
 * const us = await roundTrip((p) => send(proxy, 'echo', p), 'x'.repeat(16), 2000);
 * ```
 */
export async function roundTrip(
  request: Requester,
  payload: unknown,
  count: number,
): Promise<number> {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await request(payload);
    times[i] = performance.now() - start;
  }
  return median(times) * 1000;
}

/**
 * Messages per second with `inFlight` requests outstanding until `count`
 * replies came back.
 *
 * @param request - the transport under test.
 * @param payload - what each request carries.
 * @param count - total requests.
 * @param inFlight - requests outstanding at any time.
 * @returns replies per second.
 * @example
 * ```ts
 * const rate = await throughput((p) => send(proxy, 'echo', p), 'x'.repeat(16), 20_000, 100);
 * ```
 */
export function throughput(
  request: Requester,
  payload: unknown,
  count: number,
  inFlight: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const start = performance.now();
    const launch = (): void => {
      sent++;
      request(payload).then(() => {
        done++;
        if (done === count) resolve((count * 1000) / (performance.now() - start));
        else if (sent < count) launch();
      }, reject);
    };
    for (let i = 0; i < Math.min(inFlight, count); i++) launch();
  });
}

/**
 * Send a few requests and check the replies echo the payload.
 *
 * @param request - the transport under test.
 * @param payload - a string, or a JSON-like object.
 * @param count - how many warm-up requests (half of them pipelined).
 */
export async function warmUp(request: Requester, payload: unknown, count: number): Promise<void> {
  const reply = await request(payload);
  if (JSON.stringify(reply) !== JSON.stringify(payload)) {
    throw new Error(`echo mismatch: got ${JSON.stringify(reply).slice(0, 40)}`);
  }
  await roundTrip(request, payload, count >> 1);
  await throughput(request, payload, count >> 1, 50);
}
