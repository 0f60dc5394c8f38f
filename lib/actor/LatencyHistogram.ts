/**
 * A request-latency histogram an actor keeps for itself and reports with
 * its heartbeat; the arbiter adds them up into Prometheus histograms.
 * @module
 */

/** Upper bounds of the buckets, in seconds (Prometheus' defaults, from 1 ms). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Runs a function after the current synchronous run (as `queueMicrotask`,
 * without the async resource Node's `queueMicrotask` makes each time: the
 * worker's profile showed it above the clock read it saves).
 */
const RESOLVED = Promise.resolve();

/** What a heartbeat carries: counts per bucket (the last one is +Inf), sum and count. */
export interface LatencySnapshot {
  /** Observations per bucket, not cumulative; one more than {@link LATENCY_BUCKETS} (+Inf). */
  counts: number[];
  /** Sum of the observations, in seconds. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/**
 * Cumulative request latencies of one actor. It records only while
 * `enabled` (set when the arbiter serves metrics): an actor whose arbiter
 * serves none reads no clock and sends no histogram.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.enabled = true;
 * h.observe(12); // ms
 * h.snapshot(); // { counts: [0, 0, 0, 1, …], sum: 0.012, count: 1 }
 * ```
 */
export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  private sum = 0;
  private count = 0;
  /** Whether the requests' latencies are recorded (callers check it before reading the clock). */
  enabled = false;
  /** The clock read by the first {@link LatencyHistogram.start} of this synchronous run. */
  private turnStart: number | undefined;
  private readonly endTurn = (): void => {
    this.turnStart = undefined;
  };
  /** Start times of the requests answered in this run, timed when it ends. */
  private readonly ending: number[] = [];
  private readonly endRun = (): void => {
    const now = performance.now();
    for (const started of this.ending) this.observe(now - started);
    this.ending.length = 0;
  };

  /**
   * The time a request began, in ms (`performance.now()`), read once per
   * synchronous run: the requests of one batch off the wire arrived together,
   * so each is timed from the batch's arrival (the time spent on those before
   * it counts in its latency). A clock read costs ~100 ns, a few percent of
   * what an actor spends on a small request, so it is read once a batch.
   * @returns the start time, for {@link LatencyHistogram.end}.
   */
  start(): number {
    if (this.turnStart === undefined) {
      this.turnStart = performance.now();
      void RESOLVED.then(this.endTurn);
    }
    return this.turnStart;
  }

  /**
   * Count a request answered now, timed at the end of this synchronous run
   * (one clock read for all the answers of a batch): when its reply, queued
   * with the batch's, leaves (the transport posts a tick's replies together
   * at the end of the tick).
   * @param started - from {@link LatencyHistogram.start}; `0` (begun before
   *   recording was turned on): not counted.
   */
  end(started: number): void {
    if (started <= 0) return;
    if (this.ending.length === 0) void RESOLVED.then(this.endRun);
    this.ending.push(started);
  }

  /** @param ms - a request's duration, in milliseconds. */
  observe(ms: number): void {
    const s = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && s > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += s;
    this.count++;
  }

  /** @returns the counts so far (a copy), the requests answered in this run included. */
  snapshot(): LatencySnapshot {
    if (this.ending.length > 0) this.endRun();
    return { counts: [...this.counts], sum: this.sum, count: this.count };
  }
}
