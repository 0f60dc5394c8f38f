/**
 * Round trip and pipelined throughput of several transports for one
 * payload size, measured in small interleaved slices (contender A, B, C,
 * A, B, C...) so that the noise of a shared machine hits every contender
 * alike.
 * @module
 */
import { throughput, warmUp, type Requester } from './echoLoad.js';
import { median } from './stats.js';

/** A transport under test. */
export interface Contender {
  name: string;
  request: Requester;
}

/** How much to send for one payload size. */
export interface EchoPlan {
  /** Payload size in bytes (a string of that many characters). */
  bytes: number;
  /**
   * Send an object holding that string (`{ text }`) instead of the string:
   * rxpulsar writes a lone string raw, anything else in JSON.
   */
  object?: boolean;
  /** Sequential requests per contender, in all. */
  roundTrips: number;
  /** Sequential requests per slice. */
  roundTripSlice: number;
  /** Pipelined requests per contender, in all. */
  pipelined: number;
  /** Pipelined requests per slice (one throughput sample). */
  pipelinedSlice: number;
  /** Requests outstanding during the throughput measurement. */
  inFlight: number;
}

/** The figures of one contender. */
export interface EchoFigures {
  /** Median round trip over all sequential requests, µs. */
  roundTrip: number;
  /** Median throughput over the slices, messages/s. */
  throughput: number;
}

/**
 * Measure every contender with one payload size.
 *
 * @param contenders - the transports, rxpulsar and baselines.
 * @param plan - payload size and counts.
 * @returns figures by contender name.
 * @example
 * ```ts
 * const figures = await echoMatrix([{ name: 'rxpulsar', request }], plan);
 * ```
 */
export async function echoMatrix(
  contenders: Contender[],
  plan: EchoPlan,
): Promise<Map<string, EchoFigures>> {
  const text = 'x'.repeat(plan.bytes);
  const payload = plan.object === true ? { text } : text;
  // Two interleaved warm-up rounds: a path with more JavaScript than a bare
  // baseline takes longer to be optimized, and the first size measured
  // (16 B) showed it (0.1-0.15× worse than the same size measured again).
  for (let round = 0; round < 2; round++) {
    for (const c of contenders) {
      await warmUp(c.request, payload, Math.max(100, Math.min(4000, plan.pipelined / 4)));
    }
  }
  const rtt = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const tput = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let done = 0; done < plan.roundTrips; done += plan.roundTripSlice) {
    for (const c of contenders) {
      const times = rtt.get(c.name) ?? [];
      for (let i = 0; i < plan.roundTripSlice; i++) {
        const start = performance.now();
        await c.request(payload);
        times.push((performance.now() - start) * 1000);
      }
    }
  }
  for (let done = 0; done < plan.pipelined; done += plan.pipelinedSlice) {
    for (const c of contenders) {
      const rate = await throughput(c.request, payload, plan.pipelinedSlice, plan.inFlight);
      tput.get(c.name)?.push(rate);
    }
  }
  return new Map(
    contenders.map((c) => [
      c.name,
      { roundTrip: median(rtt.get(c.name) ?? []), throughput: median(tput.get(c.name) ?? []) },
    ]),
  );
}

/**
 * @param bytes - a payload size.
 * @param object - the string is sent in an object.
 * @returns `16 B`, `1 KB`, `64 KB` (`1 KB object`).
 */
export function sizeLabel(bytes: number, object = false): string {
  const size = bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`;
  return object ? `${size} object` : size;
}
