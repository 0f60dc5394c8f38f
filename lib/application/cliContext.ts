/**
 * What the `rxpulsar` command line hands the app module it runs: the flags
 * (instead of `process.argv`, which names the CLI), the module's path (the
 * module workers import again), and where an app reports a failed start.
 *
 * Under the CLI the library never exits the process itself: `--help`, a
 * configuration error or a failed start are thrown (or reported to
 * `failed`), and the CLI stops every actor and exits with the right code.
 * @module
 */

/** The command line's context. */
export interface CliContext {
  /** Arguments after the module path. */
  argv: string[];
  /** Absolute path of the app module. */
  module: string;
  /** Set once an app read its configuration: `--debug` (errors are reported with their stacks). */
  debug?: boolean;
  /** An app's `start()` failed: the CLI stops everything and exits non-zero. */
  failed?: (err: unknown) => void;
}

/**
 * Thrown under the CLI to end the app module's run with an exit code once
 * everything is stopped (`--help` printed: 0). Internal: never reaches users.
 *
 * @example
 * ```ts
 * if (getCliContext() !== undefined) throw new CliExit(0);
 * ```
 */
export class CliExit extends Error {
  /** @param exitCode - the process's exit code. */
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

let context: CliContext | undefined;

/** @returns the context when the app was started by `rxpulsar <module>`. */
export function getCliContext(): CliContext | undefined {
  return context;
}

/** @param value - set by the CLI before it imports the module. */
export function setCliContext(value: CliContext): void {
  context = value;
}
