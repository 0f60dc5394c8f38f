/**
 * The command line's exit policy: the library reports that the process
 * should end ({@link requestExit}: a graceful stop on a signal is over,
 * `--help` was printed, the configuration is invalid) and this ends it,
 * at once, with the code, as systemd, Docker and shells expect.
 * @module
 */
import { setExitHandler } from '../util/requestExit.js';

/**
 * End the process with `code` (the only `process.exit` of the library
 * outside the command line's own commands and the child entry points).
 *
 * @param code - the exit code.
 * @returns never.
 * @example
 * ```ts
 * exitProcess(2);
 * ```
 */
export function exitProcess(code: number): never {
  process.exit(code);
}

/**
 * Make the library's exit requests end the process: called by the package
 * entry (a plain `node app.js`) and by `rxpulsar <app-module>`.
 *
 * @example
 * ```ts
 * installExitPolicy();
 * ```
 */
export function installExitPolicy(): void {
  setExitHandler(exitProcess);
}
