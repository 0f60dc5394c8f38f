/**
 * Logging many like events as a few lines: the first of a burst at once,
 * the others counted and summed up at its end.
 * @module
 */
import type winston from 'winston';

/**
 * Events within this many ms of the first of a burst are counted, and
 * logged as one summary line at its end (each one at `debug`).
 */
export const REJECT_BURST_MS = 1_000;

/**
 * A burst logger for the hub's disconnections: the first of a burst is a
 * warning; the others of the next {@link REJECT_BURST_MS} are logged at
 * `debug` and summed up, by reason, in one warning (a flood of thousands of
 * peers is a few lines).
 *
 * @example
 * ```ts
 * const log = new BurstLog(logger);
 * log.add('malformed frame', 'disconnecting a peer: malformed frame');
 * log.flush(); // on stop
 * ```
 */
export class BurstLog {
  /** Events of the current burst after its first, by reason. */
  private burst: Map<string, number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param logger - where the lines go.
   * @param summary - the start of the summary line, for `count` events
   *   after the first (default: `disconnected 3 more peers`).
   */
  constructor(
    private readonly logger: winston.Logger,
    private readonly summary: (count: number) => string = (count) =>
      `disconnected ${count} more ${count === 1 ? 'peer' : 'peers'}`,
  ) {}

  /**
   * @param reason - what the event is counted under in the summary.
   * @param line - the event's own line.
   */
  add(reason: string, line: string): void {
    if (this.burst === undefined) {
      this.logger.warn(line);
      this.burst = new Map();
      this.timer = setTimeout(() => this.flush(), REJECT_BURST_MS).unref();
      return;
    }
    this.logger.debug(line);
    this.burst.set(reason, (this.burst.get(reason) ?? 0) + 1);
  }

  /** End the burst now: log its summary, if it had more than its first. */
  flush(): void {
    const burst = this.burst;
    this.burst = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (burst === undefined || burst.size === 0) return;
    let count = 0;
    for (const n of burst.values()) count += n;
    const reasons = [...burst]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(', ');
    this.logger.warn(
      `${this.summary(count)} within ${REJECT_BURST_MS} ms: ${reasons}${burst.size > 5 ? ', …' : ''}`,
    );
  }
}
