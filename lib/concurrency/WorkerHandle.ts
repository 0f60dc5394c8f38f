/**
 * The one interface process and thread workers share (as in tinypool's
 * runtimes): the arbiter starts a child through it, watches it exit and
 * stops it, without caring which kind it is.
 * @module
 */
import type { Observable } from 'rxjs';
import type { TransferListItem } from 'node:worker_threads';

/** How a worker ended. */
export interface ExitInfo {
  /** Exit code, or `null` when a signal ended a process. */
  exitCode: number | null;
  /** The signal that ended a process (`SIGKILL`…), or `null`. */
  signal: NodeJS.Signals | null;
}

/** What it takes to start a worker. */
export interface WorkerOptions {
  /** File URL or path of the child-side entry module. */
  entry: URL | string;
  /** JSON-serialisable data handed to the child (its actor parameters). */
  data: unknown;
  /** A name for the thread (shown in inspectors) or the process. */
  name: string;
  /** Extra environment variables (processes) or `process.env` overrides (threads). */
  env?: Record<string, string>;
  /** Node options for a process child; default: the parent's `process.execArgv`. */
  execArgv?: string[];
  /** Objects of `data` moved to a thread rather than copied (its MessagePort); threads only. */
  transferList?: TransferListItem[];
}

/** A running (or exited) child process or worker thread. */
export interface WorkerHandle {
  /** `process` or `thread`. */
  readonly kind: 'process' | 'thread';
  /** The child's pid (the parent's pid for a thread). */
  readonly pid: number;
  /** The thread id for a thread, `undefined` for a process. */
  readonly threadId: number | undefined;
  /** `true` once the child has exited. */
  readonly exited: boolean;
  /** Emits once when the child exits, then completes; late subscribers get it too. */
  readonly exit$: Observable<ExitInfo>;
  /**
   * Emits once, as soon as the child's end is certain, how it will end (a
   * thread being terminated or that threw, a process sent SIGKILL: before
   * its `exit`, it may be replaced then), then completes; at the latest
   * with `exit$`.
   */
  readonly ending$?: Observable<ExitInfo>;
  /**
   * Send a signal now: `SIGKILL` (default) ends a thread with `terminate()`;
   * `SIGSTOP`/`SIGCONT` freeze and thaw a process.
   */
  kill(signal?: NodeJS.Signals): void;
  /**
   * Forced stop: `SIGTERM`, then `SIGKILL` after `graceMs` (a thread is
   * terminated at once). Resolves after the `exit` event, never before.
   */
  terminate(graceMs: number): Promise<ExitInfo>;
}
