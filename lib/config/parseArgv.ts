/**
 * Command-line flags → configuration entries, strictly: every flag must be
 * a setting of the schema. `node:util` `parseArgs` splits the arguments
 * (as mocha 12 does); what it lacks is done here: unknown flags with a "did
 * you mean", `--no-` for true/false settings, a flag followed by another
 * flag instead of its value.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ConfigProblem } from '../errors.js';
import { flagOf, keyOfFlag } from './names.js';
import type { ConfigEntry, Schema, Setting } from './Setting.js';
import { suggest } from './suggest.js';

/** What {@link parseArgv} found. */
export interface ParsedArgv {
  /** One entry per flag, in order (a repeated flag: the last one wins). */
  entries: ConfigEntry[];
  /** Unknown flags, missing values. */
  problems: ConfigProblem[];
  /** The arguments that are not flags, and all those after `--`. */
  positionals: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

function isBoolean(setting: Setting): boolean {
  return setting.format === 'bool' || setting.format === Boolean;
}

/** An argument that reads as a flag (negative numbers and `-` are values). */
function isFlag(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg);
}

/**
 * Parse command-line arguments against a schema.
 *
 * `--max-requests 10` and `--max-requests=10`; `--debug`, `--no-debug`,
 * `--debug=false` for `bool` settings (which never take the next argument);
 * short aliases `-w 4`, `-w=4`, `-w4`; `--` ends the flags. Values stay
 * strings: the settings' formats coerce them.
 *
 * @param argv - the arguments (without `node` and the script).
 * @param schema - the settings, by key (flags are derived from the keys).
 * @returns the entries, problems and positional arguments.
 * @example
 * ```ts
 * parseArgv(['app.js', '-w', '4', '--no-debug'], schema);
 * // entries: workers '4' (-w), debug false (--no-debug); positionals: ['app.js']
 * ```
 */
export function parseArgv(argv: readonly string[], schema: Schema): ParsedArgv {
  const options: Options = {};
  const keys = new Map<string, string>(); // parseArgs option name → setting key
  const flags: string[] = [];
  for (const [key, setting] of Object.entries(schema)) {
    const name = flagOf(key).slice(2);
    options[name] = { type: isBoolean(setting) ? 'boolean' : 'string' };
    if (setting.short !== undefined) options[name].short = setting.short;
    keys.set(name, key);
    flags.push(`--${name}`, ...(setting.short === undefined ? [] : [`-${setting.short}`]));
  }
  const result: ParsedArgv = { entries: [], problems: [], positionals: [] };
  const problem = (key: string, value: unknown, origin: string, expected: string): void => {
    result.problems.push({ key, value, source: 'flag', origin, expected });
  };

  let args = [...argv];
  parsing: for (;;) {
    const { tokens } = parseArgs({
      args,
      options,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    let done = -1; // the argument of the last token handled (a short group gives several)
    for (const token of tokens) {
      if (token.kind === 'option-terminator') {
        result.positionals.push(...args.slice(token.index + 1));
        break parsing;
      }
      if (token.kind === 'positional') {
        result.positionals.push(token.value);
        continue;
      }
      if (token.index === done) continue;
      done = token.index;
      const arg = args[token.index]!;
      if (!isFlag(arg)) {
        result.positionals.push(arg); // -5: a value, not the flags -5
        continue;
      }
      const short = !token.rawName.startsWith('--');
      const flag = token.rawName;
      // -w=4 as -w 4 (parseArgs reads "=4"); an unknown -xyz names -x only.
      let inline = token.inlineValue === true ? token.value : undefined;
      if (short && arg.length > 2) inline = arg.slice(arg[2] === '=' ? 3 : 2);
      let key = keys.get(token.name);
      let negated = false;
      if (key === undefined && !short && token.name.startsWith('no-')) {
        key = keys.get(token.name.slice(3));
        negated = key !== undefined;
      }
      if (key === undefined) {
        const hint = suggest(flag, flags);
        const expected = `unknown option${hint === undefined ? '' : ` (did you mean ${hint}?)`}`;
        problem(keyOfFlag(flag.replace(/^-+/, '')), inline, flag, expected);
        continue;
      }
      const boolean = isBoolean(schema[key]!);
      const entry = (value: unknown): void => {
        result.entries.push({ key, value, source: 'flag', origin: flag });
      };
      if (negated) {
        if (!boolean) problem(key, inline, flag, '--no- is only for true/false settings');
        else if (inline !== undefined) problem(key, inline, flag, `${flag} takes no value`);
        else entry(false);
      } else if (inline !== undefined) {
        entry(inline);
      } else if (boolean) {
        entry(true);
      } else if (token.value !== undefined && !isFlag(token.value)) {
        entry(token.value);
      } else {
        problem(key, undefined, flag, 'needs a value');
        if (token.value !== undefined) {
          // parseArgs took the next flag as this one's value: read on from it.
          args = args.slice(token.index + 1);
          continue parsing;
        }
      }
    }
    break;
  }
  return result;
}
