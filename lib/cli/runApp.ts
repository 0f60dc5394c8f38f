/**
 * `rxpulsar <app-module>`: import the module with the flags as its
 * configuration, and make every way its start can fail end the process at
 * once, with one line and a non-zero code, as systemd or Docker expect.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { Arbiter } from '../arbiter/Arbiter.js';
import { getActor } from '../actor/current.js';
import { CliExit, setCliContext, type CliContext } from '../application/cliContext.js';
import { ConfigError, RestartLimitError } from '../errors.js';
import { exitProcess, installExitPolicy } from './exitProcess.js';

/** How long stopping every actor may take after a failed start before the exit. */
const STOP_LIMIT_MS = 2_000;

const TRUE = /^(true|1|yes|on)$/i;

/** `--debug` on the command line or in the environment (before the app read its config). */
function debugAsked(argv: readonly string[]): boolean {
  const flag = argv.findLast((a) => a === '--debug' || a === '--no-debug');
  if (flag !== undefined) return flag === '--debug';
  return TRUE.test(process.env['RXPULSAR_DEBUG'] ?? '');
}

/**
 * The exit code of a failure, and the line (or lines) that say it.
 *
 * @param err - what was thrown or reported.
 * @param module - the module as given on the command line.
 * @param debug - show the stack.
 * @returns the code and the text (empty: print nothing).
 */
export function describeFailure(
  err: unknown,
  module: string,
  debug: boolean,
): { code: number; text: string } {
  if (err instanceof CliExit) return { code: err.exitCode, text: '' };
  // One line per problem, naming the keys; never a stack.
  if (err instanceof ConfigError) return { code: err.exitCode, text: `${err.message}\n` };
  const message = err instanceof Error ? err.message : String(err);
  const detail = debug && err instanceof Error && err.stack !== undefined ? `\n${err.stack}` : '';
  // An app that escalated ran, then gave up; the others never started.
  const what = err instanceof RestartLimitError ? 'stopped' : 'failed to start';
  return { code: 1, text: `rxpulsar: ${module} ${what}: ${message}${detail}\n` };
}

/** Stop the arbiter (if any) fast: its actors are killed, its hub closed. */
async function stopEverything(): Promise<void> {
  const arbiter = getActor();
  if (!(arbiter instanceof Arbiter)) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    arbiter.terminate().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_LIMIT_MS))),
  ]);
  clearTimeout(timer);
}

/**
 * Run an app module. Its apps read `argv` as their flags. A failed start
 * (the module throws, or an app's `start()` fails, awaited or not) prints
 * one line (the stack too under `--debug`), stops every actor and exits
 * the process: 2 for a configuration error, 1 otherwise (0 after `--help`).
 *
 * @param given - the module path as given.
 * @param module - its absolute path.
 * @param argv - the flags after it.
 * @returns 0 once the module ran (the arbiter then keeps the process alive).
 * @example
 * ```ts
 * process.exitCode = await runApp('app.js', resolve('app.js'), ['--workers', '2']);
 * ```
 */
export async function runApp(given: string, module: string, argv: string[]): Promise<number> {
  let failing = false;
  const context: CliContext = {
    argv,
    module,
    failed: (err) => void fail(err),
  };
  const fail = async (err: unknown): Promise<void> => {
    if (failing) return;
    failing = true;
    const { code, text } = describeFailure(err, given, context.debug ?? debugAsked(argv));
    process.stderr.write(text);
    await stopEverything();
    exitProcess(code);
  };
  installExitPolicy();
  setCliContext(context);
  try {
    await import(pathToFileURL(module).href);
  } catch (err) {
    await fail(err);
  }
  return 0;
}
