/**
 * How `rxpulsar test` ends on a signal: Ctrl-C (SIGINT) stops the run as
 * mocha's does, SIGTERM and SIGHUP end it cleanly, a second one ends it at
 * once, and a re-executed command (`--node-option`) gets every one passed
 * on while the command that started it waits for it.
 * @module
 */
import { constants } from 'node:os';
import { removeRuntimeDirs } from '../util/runtimeDir.js';

/**
 * SIGTERM and SIGHUP end a run as they end mocha, but cleanly: the run
 * stops as on Ctrl-C (the summary of what ran is printed), its runners are
 * killed and their sockets removed, then the same signal ends this process
 * (its parent sees it). A second one, or a stop past {@link END_GRACE_MS},
 * ends it at once (see {@link forceExit}).
 */
const ENDING_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/** How long a run stopped by SIGTERM or SIGHUP may take to clean up before the process ends anyway, in ms. */
const END_GRACE_MS = 10_000;

/**
 * How much longer a command that re-executed itself gives its child (which
 * ends by its own {@link END_GRACE_MS}) before it kills it, in ms.
 */
const CHILD_GRACE_MS = 3_000;

/** The signal that ends this run, once one came, and how to stop the run then. */
export interface Ending {
  signal?: NodeJS.Signals;
  /** Stop what runs (the suite). */
  stop?: () => void;
  /** Ctrl-C (SIGINT) came. */
  interrupted?: boolean;
  /** Stop the run on Ctrl-C (the suite, once it exists). */
  interrupt?: () => void;
  /**
   * A re-executed command runs: every SIGINT, SIGTERM and SIGHUP is passed
   * on to it (a second one too: it ends at once), and this process waits
   * for it to exit (see `reexec`).
   */
  forward?: (signal: NodeJS.Signals) => void;
  /** The re-executed command's pid, while it runs: a forced exit kills it first. */
  child?: number;
}

/**
 * Whether a signal is a new one. A re-executed command (`--node-option`)
 * hears a signal sent to the process group (Ctrl-C at the terminal) twice:
 * from the kernel and passed on by the command that started it, which
 * passes on every one it gets (one sent to it alone reached nothing
 * before). Each way is counted apart; a signal acts when it raises the
 * larger count: once per Ctrl-C, twice for two, however they come.
 */
function signalCounter(): (signal: NodeJS.Signals, passed: boolean) => boolean {
  const counts = { own: new Map<string, number>(), passed: new Map<string, number>() };
  const most = (signal: string): number =>
    Math.max(counts.own.get(signal) ?? 0, counts.passed.get(signal) ?? 0);
  return (signal, passed) => {
    const before = most(signal);
    const count = passed ? counts.passed : counts.own;
    count.set(signal, (count.get(signal) ?? 0) + 1);
    return most(signal) > before;
  };
}

/**
 * The exit code of a process a signal ended, as a shell reports it.
 * @param signal - the signal.
 * @returns 128 + its number.
 * @example
 * ```ts
 * signalCode('SIGTERM'); // 143
 * ```
 */
export function signalCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * End this process now, leaving nothing: a re-executed command still
 * running is killed (SIGKILL) and its runtime folders removed, and so are
 * this process's (its hub's; the prestarted runners are killed and their
 * folder removed on `exit`).
 * @param ending - the run's ending (its re-executed command, if any).
 * @param code - the exit code.
 * @example
 * ```ts
 * forceExit(ending, signalCode('SIGTERM'));
 * ```
 */
export function forceExit(ending: Ending, code: number): never {
  const { child } = ending;
  try {
    if (child !== undefined) {
      process.kill(child, 'SIGKILL');
      removeRuntimeDirs(child);
    }
  } catch {
    // Gone already.
  }
  try {
    removeRuntimeDirs();
  } catch {
    // No temp directory to read: nothing of ours in it.
  }
  process.exit(code);
}

/** Past the grace after the first ending signal: end now (a re-executed command gets a little longer). */
function armGrace(ending: Ending, signal: NodeJS.Signals): void {
  const over = (extended: boolean): void => {
    if (ending.child !== undefined && !extended) {
      setTimeout(over, CHILD_GRACE_MS, true).unref();
      return;
    }
    forceExit(ending, signalCode(signal));
  };
  setTimeout(over, END_GRACE_MS, false).unref();
}

/**
 * Handle SIGINT, SIGTERM and SIGHUP for a run (and, in a re-executed
 * command, the signals its parent passes on).
 * @param ending - filled in as signals come; the run sets its `stop`,
 *   `interrupt` and `forward`.
 * @returns a function that stops listening.
 * @example
 * ```ts
 * const ending: Ending = {};
 * const unlisten = listenEnding(ending);
 * try { await runTests(argv, ending); } finally { unlisten(); }
 * ```
 */
export function listenEnding(ending: Ending): () => void {
  const fresh = signalCounter();
  const handler = (signal: NodeJS.Signals, passed = false): void => {
    if (!fresh(signal, passed)) return;
    const first = ending.signal === undefined;
    if (first) {
      ending.signal = signal;
      // The terminal may be gone (SIGHUP): what is left to print may fail, quietly.
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
      armGrace(ending, signal);
    }
    // Re-executed: the child has the run, and ends at once at its second one.
    if (ending.forward !== undefined) ending.forward(signal);
    else if (!first) forceExit(ending, signalCode(ending.signal!));
    else ending.stop?.();
  };
  // Ctrl-C from the start: runners are forked before mocha's options load,
  // and by its default action the process would end without its clean-up.
  const interrupted = (passed = false): void => {
    if (!fresh('SIGINT', passed)) return;
    if (ending.forward !== undefined) return ending.forward('SIGINT');
    // A second one: at once.
    if (ending.interrupted === true) forceExit(ending, 130);
    ending.interrupted = true;
    ending.interrupt?.();
  };
  const own = (signal: NodeJS.Signals): void =>
    signal === 'SIGINT' ? interrupted() : handler(signal);
  // Re-executed: what the command that started this one passes on.
  const passedOn = (message: unknown): void => {
    const signal = (message as { rxpulsarSignal?: NodeJS.Signals } | null)?.rxpulsarSignal;
    if (signal === 'SIGINT') interrupted(true);
    else if (signal !== undefined && ENDING_SIGNALS.includes(signal)) handler(signal, true);
  };
  for (const signal of [...ENDING_SIGNALS, 'SIGINT'] as const) process.on(signal, own);
  if (process.env['RXPULSAR_TEST_REEXEC'] !== undefined) process.on('message', passedOn);
  return () => {
    for (const signal of [...ENDING_SIGNALS, 'SIGINT'] as const)
      process.removeListener(signal, own);
    // Its IPC channel no longer holds the process.
    process.removeListener('message', passedOn);
  };
}
