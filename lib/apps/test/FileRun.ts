/**
 * Arbiter side of one spec file running on one worker: the events received
 * so far, what is open (suites, the test or hook running), the deadline
 * past which the worker counts as hung, and the events that close the file
 * when its worker dies.
 * @module
 */
import type { FileJob, WireEvent } from './wire.js';

interface Runnable {
  $$fullTitle?: string;
  title?: string;
}

/** How long loading a spec file may take before its worker counts as hung, in ms (plus grace). */
export const LOAD_TIMEOUT = 30_000;

/**
 * Grace past a runnable's own timeout before its worker counts as hung.
 * @param timeout - the runnable's timeout, in ms.
 * @returns the grace, in ms.
 * @example
 * ```ts
 * hangGrace(2000); // 2000
 * ```
 */
export function hangGrace(timeout: number): number {
  return 1000 + timeout / 2;
}

/**
 * One file in flight.
 *
 * @example
 * ```ts
 * const run = new FileRun(job, proxy.aid);
 * run.receive(event);
 * if (run.hungAt(Date.now())) kill(run.aid);
 * ```
 */
export class FileRun {
  /** Events received and not reported yet (the file is not the one reported live). */
  readonly buffer: WireEvent[] = [];
  /** When the file began (the job was sent, or the file before it on its worker ended). */
  startedAt = Date.now();
  /** `file end` arrived, or the file was closed after its worker died. */
  done = false;
  /** Why the arbiter killed its worker (it hung), if it did. */
  killed: string | undefined;
  private readonly suites: unknown[] = [];
  private test: { data: unknown; timeout: number } | undefined;
  private hook: unknown;
  private since = 0;
  private timeout = 0;

  /**
   * @param job - the job sent.
   * @param aid - the worker running it.
   */
  constructor(
    readonly job: FileJob,
    readonly aid: string,
  ) {
    this.begin();
  }

  /** The file begins now (it was queued behind another on its worker until now). */
  begin(): void {
    this.startedAt = Date.now();
    // Loading (the file's top-level code) has a deadline too, until its first event.
    this.arm(this.startedAt, LOAD_TIMEOUT);
    this.loading = true;
  }

  /** No event came yet: the runner is loading the file. */
  loading = true;

  /** The file's path. */
  get file(): string {
    return this.job.file;
  }

  /** @param event - an event of this file, in order: updates what is open. */
  receive(event: WireEvent): void {
    const now = Date.now();
    // A copy: reporting rebuilds the event's objects in place.
    const data = typeof event.data === 'object' ? { ...event.data } : event.data;
    if (this.loading && event.name !== 'output') {
      this.loading = false;
      this.arm(now, 0);
    }
    const timeout = event.timeout ?? 0;
    switch (event.name) {
      case 'suite':
        this.suites.push(data);
        break;
      case 'suite end':
        this.suites.pop();
        break;
      case 'test':
        this.test = { data, timeout };
        this.arm(now, timeout);
        break;
      case 'test end':
        this.test = undefined;
        this.arm(now, 0);
        break;
      case 'hook':
        this.hook = data;
        this.arm(now, timeout);
        break;
      case 'hook end':
        this.hook = undefined;
        // Back to the test body, if a test runs (its beforeEach hooks are over).
        this.arm(now, this.test?.timeout ?? 0);
        break;
      case 'timeout':
        // The running test or hook set its own timeout: mocha restarted its timer.
        if (this.hook === undefined && this.test !== undefined) this.test.timeout = timeout;
        this.arm(now, timeout);
        break;
      case 'file end':
        this.done = true;
        break;
    }
  }

  /**
   * @param now - the time.
   * @returns `true` when the running test or hook is past its timeout and grace.
   */
  hungAt(now: number): boolean {
    return this.timeout > 0 && now > this.since + this.timeout + hangGrace(this.timeout);
  }

  /** The title of what runs now (a hook, a test), or `undefined` between them. */
  get running(): string | undefined {
    const runnable = (this.hook ?? this.test?.data) as Runnable | undefined;
    return runnable?.$$fullTitle ?? runnable?.title;
  }

  /** The timeout of what runs now, in ms. */
  get runningTimeout(): number {
    return this.timeout;
  }

  /**
   * The events that close the file after its worker died: the running hook
   * or test fails with `message` (or, between runnables, the file does),
   * then its open suites end.
   *
   * @param message - what happened, for the error.
   * @param fail - `false` to close the suites only (the run was interrupted).
   * @returns the events, ending with `file end`.
   */
  close(message: string, fail = true): WireEvent[] {
    const events: WireEvent[] = [];
    const error = { __type: 'Error', message, stack: `Error: ${message}` };
    if (fail && this.hook !== undefined) {
      events.push({ name: 'fail', data: this.hook, error });
    } else if (fail && this.test !== undefined) {
      events.push({ name: 'fail', data: this.test.data, error });
      events.push({ name: 'test end', data: this.test.data });
    } else if (fail) {
      events.push({ name: 'load error', error });
    }
    for (const suite of [...this.suites].reverse()) events.push({ name: 'suite end', data: suite });
    events.push({ name: 'file end', failures: fail ? 1 : 0 });
    this.hook = undefined;
    this.test = undefined;
    this.suites.length = 0;
    return events;
  }

  private arm(now: number, timeout: number): void {
    this.since = now;
    this.timeout = timeout;
  }
}
