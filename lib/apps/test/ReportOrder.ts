/**
 * Which file the reporter hears live. Reporters (spec's indentation, tap's
 * numbering, xunit's suites) expect the events of one file at a time, so
 * one file in flight is reported as its events arrive while the others
 * keep theirs until it ends; then the files that finished meanwhile are
 * reported, and the next file still running goes live.
 * @module
 */
import type { FileRun } from './FileRun.js';
import type { WireEvent } from './wire.js';

/**
 * The order of reporting.
 *
 * @example
 * ```ts
 * const order = new ReportOrder((event, run) => report(event, run));
 * order.started(run);
 * order.event(run, event); // reported now if run is live, else kept
 * order.ended(run);
 * ```
 */
export class ReportOrder {
  private live: FileRun | undefined;
  private readonly waiting: FileRun[] = [];
  private readonly finished: FileRun[] = [];

  /** @param out - reports one event of one file. */
  constructor(private readonly out: (event: WireEvent, run: FileRun) => void) {}

  /** @param run - a file sent to a worker. */
  started(run: FileRun): void {
    if (this.live === undefined) this.live = run;
    else this.waiting.push(run);
  }

  /**
   * @param run - the file.
   * @param event - its next event: reported now if the file is live, else kept.
   */
  event(run: FileRun, event: WireEvent): void {
    if (run === this.live) this.out(event, run);
    else run.buffer.push(event);
  }

  /** @param run - the file is over (all its events were given). */
  ended(run: FileRun): void {
    if (run === this.live) {
      this.live = undefined;
      this.next();
      return;
    }
    const i = this.waiting.indexOf(run);
    if (i >= 0) this.waiting.splice(i, 1);
    this.finished.push(run);
  }

  /** Report every file kept so far, finished ones first (the run is over or stopped). */
  drain(): void {
    const rest = [...this.finished.splice(0), ...this.waiting.splice(0)];
    if (this.live !== undefined) rest.unshift(this.live);
    this.live = undefined;
    for (const run of rest) this.flush(run);
  }

  private next(): void {
    for (let run = this.finished.shift(); run !== undefined; run = this.finished.shift()) {
      this.flush(run);
    }
    const run = this.waiting.shift();
    if (run === undefined) return;
    this.live = run;
    this.flush(run);
  }

  private flush(run: FileRun): void {
    for (let event = run.buffer.shift(); event !== undefined; event = run.buffer.shift()) {
      this.out(event, run);
    }
  }
}
