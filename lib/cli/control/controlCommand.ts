/**
 * What every control command shares: the flags that choose an arbiter
 * (`--name`, `--pid-file`), `--json`, `--help`, the connection, and the
 * exit codes (2 bad usage, 1 a failure, each with one line on stderr).
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { argsError } from '../argsError.js';
import { ImproperlyConfiguredError } from '../../errors.js';
import { ControlClient } from '../../control/ControlClient.js';
import { findArbiter } from '../../control/findArbiter.js';

/** The parsed command line of a control command. */
export interface ControlArgs {
  /** Positional arguments. */
  args: string[];
  /** Flags (`json`, `name`, `pid-file`, and the command's own). */
  flags: Record<string, string | boolean | undefined>;
  /** The chosen arbiter's name (once connected). */
  arbiter?: string;
}

/** A control command's definition. */
export interface ControlCommand {
  /** `rxpulsar <name>`. */
  name: string;
  /** The usage line after `rxpulsar <name>`. */
  usage: string;
  /** Flags of its own (beyond `--name`, `--pid-file`, `--json`). */
  options?: ParseArgsConfig['options'];
  /** Checks the arguments before connecting (throw ImproperlyConfiguredError). */
  check?(parsed: ControlArgs): void;
  /** Runs against the chosen arbiter; resolves to the exit code. */
  run(client: ControlClient, parsed: ControlArgs): Promise<number>;
}

const COMMON: NonNullable<ParseArgsConfig['options']> = {
  name: { type: 'string' },
  'pid-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Run a control command with its command line.
 *
 * @param command - the definition.
 * @param argv - the arguments after `rxpulsar <name>`.
 * @returns the exit code.
 * @example
 * ```ts
 * export const run = (argv: string[]) => runControl(ps, argv);
 * ```
 */
export async function runControl(command: ControlCommand, argv: string[]): Promise<number> {
  const usage = [
    'Usage: rxpulsar',
    command.name,
    command.usage,
    '[--name NAME | --pid-file FILE] [--json]',
  ]
    .filter((part) => part !== '')
    .join(' ');
  let parsed: ControlArgs;
  try {
    // A negative number is an argument (`scale web -2`), not a flag.
    const negative = (a: string): boolean => /^-\d+$/.test(a);
    const { values, positionals } = parseArgs({
      args: argv.map((a) => (negative(a) ? `\0${a}` : a)),
      options: { ...COMMON, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    const args = positionals.map((a) => a.replace(/^\0/, ''));
    parsed = { args, flags: values as ControlArgs['flags'] };
    if (parsed.flags['help'] === true) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    command.check?.(parsed);
  } catch (err) {
    process.stderr.write(`rxpulsar ${command.name}: ${argsError(err)}\n${usage}\n`);
    return 2;
  }
  let client: ControlClient | undefined;
  try {
    const entry = findArbiter({
      name: parsed.flags['name'] as string | undefined,
      pidFile: parsed.flags['pid-file'] as string | undefined,
    });
    client = await ControlClient.connect(entry.socket);
    parsed.arbiter = entry.name;
    return await command.run(client, parsed);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`rxpulsar ${command.name}: ${message}\n`);
    return err instanceof ImproperlyConfiguredError ? 2 : 1;
  } finally {
    client?.close();
  }
}

/**
 * Print a value as JSON (with `--json`) or as text.
 * @param parsed - the command line.
 * @param value - the value.
 * @param text - the text for people.
 */
export function output(parsed: ControlArgs, value: unknown, text: () => string): void {
  process.stdout.write(
    parsed.flags['json'] === true ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`,
  );
}
