/**
 * Command-line flags → configuration entries, strictly: every flag must be
 * a setting of the schema.
 * @module
 */
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

function isBoolean(setting: Setting): boolean {
  return setting.format === 'bool' || setting.format === Boolean;
}

/** A token that can be a flag's value: not a flag itself (negative numbers are values). */
function isValue(token: string | undefined): boolean {
  return token !== undefined && (!token.startsWith('-') || token === '-' || /^-\d/.test(token));
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
  const longs = new Map<string, string>();
  const shorts = new Map<string, string>();
  for (const [key, setting] of Object.entries(schema)) {
    longs.set(flagOf(key), key);
    if (setting.short !== undefined) shorts.set(`-${setting.short}`, key);
  }
  const result: ParsedArgv = { entries: [], problems: [], positionals: [] };
  const problem = (key: string, value: unknown, origin: string, expected: string): void => {
    result.problems.push({ key, value, source: 'flag', origin, expected });
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      result.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (isValue(token)) {
      result.positionals.push(token);
      continue;
    }
    const long = token.startsWith('--');
    const eq = token.indexOf('=');
    let flag: string;
    let inline: string | undefined;
    if (eq >= 0) [flag, inline] = [token.slice(0, eq), token.slice(eq + 1)];
    else if (!long && token.length > 2) [flag, inline] = [token.slice(0, 2), token.slice(2)];
    else flag = token;

    let key = (long ? longs : shorts).get(flag);
    let negated = false;
    if (key === undefined && flag.startsWith('--no-')) {
      key = longs.get(`--${flag.slice(5)}`);
      negated = key !== undefined;
    }
    if (key === undefined) {
      const hint = suggest(flag, [...longs.keys(), ...shorts.keys()]);
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
    } else if (isValue(argv[i + 1])) {
      entry(argv[++i]!);
    } else {
      problem(key, undefined, flag, 'needs a value');
    }
  }
  return result;
}
