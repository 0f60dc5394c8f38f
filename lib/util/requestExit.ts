/**
 * How the library asks for the end of the process without ending it
 * itself: it reports the exit code (`process.exitCode`) and hands it to the
 * exit handler, which the command line owns (`lib/cli/exitProcess.ts`, set
 * by the package entry for `node app.js` and by `rxpulsar <app-module>`).
 * Without a handler nothing exits: the process ends when nothing keeps it
 * alive, with that code.
 * @module
 */

/** Ends the process with a code (or decides not to). */
export type ExitHandler = (code: number) => void;

let handler: ExitHandler | undefined;

/**
 * Set who ends the process when the library asks.
 *
 * @param next - the handler, or `undefined` for none.
 * @returns the handler it replaces.
 * @example
 * ```ts
 * const previous = setExitHandler((code) => console.log('exit wanted:', code));
 * ```
 */
export function setExitHandler(next: ExitHandler | undefined): ExitHandler | undefined {
  const previous = handler;
  handler = next;
  return previous;
}

/**
 * Report that the process should end with `code`: `process.exitCode` is
 * set, then the exit handler (if any) decides. Returns when it does not
 * exit; the caller then goes on as if nobody listened (throws, or lets the
 * process end by itself).
 *
 * @param code - the exit code (0 done, 1 a failure, 2 bad usage or configuration).
 * @example
 * ```ts
 * getActor()?.stop().addBoth(() => requestExit(0));
 * ```
 */
export function requestExit(code: number): void {
  process.exitCode = code;
  handler?.(code);
}
