/**
 * The watchdog of a process actor: a tiny worker thread that notices when
 * the arbiter (the parent process) is gone, even while the actor's own
 * thread is stuck in CPU-bound code (`while (true) {}`), and then kills the
 * process. An idle actor notices first (it loses the hub and stops itself,
 * running its `stopping` hook); the watchdog gives it `graceMs` for that.
 * @module
 */
import { Worker } from 'node:worker_threads';

/** Options of {@link startWatchdog}. */
export interface WatchdogOptions {
  /** How often the parent is checked, in ms (default 150). */
  periodMs?: number;
  /** How long an orphaned process may take to stop by itself before it is killed, in ms (default 1000). */
  graceMs?: number;
  /** The parent's pid, read when the process started (default: `process.ppid` now). */
  ppid?: number;
}

// CommonJS, evaluated: no module to resolve, no loader (`--import tsx`) to run.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { ppid, periodMs, graceMs } = workerData;
const timer = setInterval(() => {
  if (process.ppid === ppid) return;
  clearInterval(timer);
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs);
}, periodMs);
`;

/**
 * Start the watchdog: every `periodMs` its thread compares `process.ppid`
 * with the parent's pid at start; once they differ (the parent died and
 * the process was adopted), it SIGKILLs the process after `graceMs`. The
 * thread is `unref()`'d: it never keeps the process alive, and costs one
 * small isolate (no flags, no loaders).
 *
 * @param options - period and grace.
 * @returns the watchdog's thread.
 * @example
 * ```ts
 * startWatchdog({ periodMs: 150, graceMs: 1000 });
 * ```
 */
export function startWatchdog(options: WatchdogOptions = {}): Worker {
  const { periodMs = 150, graceMs = 1000, ppid = process.ppid } = options;
  const worker = new Worker(SOURCE, {
    eval: true,
    name: 'rxpulsar watchdog',
    workerData: { ppid, periodMs, graceMs },
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  worker.unref();
  // A watchdog that cannot run must not take the actor down.
  worker.on('error', () => undefined);
  return worker;
}
