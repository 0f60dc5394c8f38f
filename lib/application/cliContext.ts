/**
 * What the `rxpulsar` command line hands the app module it runs: the flags
 * (instead of `process.argv`, which names the CLI) and the module's path
 * (the module workers import again).
 * @module
 */

/** The command line's context. */
export interface CliContext {
  /** Arguments after the module path. */
  argv: string[];
  /** Absolute path of the app module. */
  module: string;
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
