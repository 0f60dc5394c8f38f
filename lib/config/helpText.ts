/**
 * `--help` text of a schema: every setting with its flag, environment
 * variable, default and doc.
 * @module
 */
import { envOf, flagOf } from './names.js';
import { prefixSchema } from './prefixSchema.js';
import type { Schema, Setting } from './Setting.js';

/** Options of {@link helpText}. */
export interface HelpTextOptions {
  /** The app's prefix in a `MultiApp` (its settings are listed as `--rpc-workers`…). */
  prefix?: string;
  /** The usage line's command (default `rxpulsar <app-module>`). */
  program?: string;
  /** More sections after the app's: a title and its settings (never prefixed). */
  more?: readonly {
    /** The section's title (`Server options`). */
    title: string;
    /** Its settings. */
    schema: Schema;
  }[];
}

const WIDTH = 100;
const COLUMN = 32;

function placeholder(setting: Setting): string {
  if (setting.placeholder !== undefined) return ` ${setting.placeholder}`;
  const { format } = setting;
  if (format === 'bool' || format === Boolean) return '';
  if (Array.isArray(format)) return ` ${format.map(String).join('|')}`;
  if (format === 'count' || format === 'poolSize' || format === 'int' || format === 'nat')
    return ' N';
  if (format === 'duration' || format === 'longDuration') return ' DURATION';
  return ' VALUE';
}

/** The flags of a setting as `--help` shows them: `-w, --workers N`, `--[no-]debug`. */
export function flagsOf(key: string, setting: Setting): string {
  const boolean = setting.format === 'bool' || setting.format === Boolean;
  const long = boolean ? flagOf(key).replace(/^--/, '--[no-]') : flagOf(key);
  const short = setting.short === undefined ? '' : `-${setting.short}, `;
  return `${short}${long}${placeholder(setting)}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Word-wrap `text` into lines indented by `COLUMN`, the first one after `head`. */
function wrap(head: string, text: string): string[] {
  const indent = ' '.repeat(COLUMN);
  const lines: string[] = [];
  let line = indent;
  if (head.length < COLUMN - 1) line = head.padEnd(COLUMN);
  else lines.push(head);
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      [line, empty] = [indent, true];
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

function section(title: string, schema: Schema): string[] {
  const entries = Object.entries(schema);
  if (entries.length === 0) return [];
  const lines = ['', `${title}:`];
  for (const [key, setting] of entries) {
    lines.push(...wrap(`  ${flagsOf(key, setting)}`, setting.doc));
    lines.push(`${' '.repeat(COLUMN)}env ${envOf(key)}, default ${show(setting.default)}`);
  }
  return lines;
}

/**
 * The help text of a schema, for `rxpulsar --help` and `rxpulsar
 * <app-module> --help`: global settings first, then the app's, each with
 * its flag (and short alias), doc, environment variable and default.
 *
 * @param schema - the settings.
 * @param options - `prefix`: list an app's settings under its `MultiApp`
 *   prefix; `program`: the usage line's command.
 * @returns the text, lines joined by `\n`, no trailing newline.
 * @example
 * ```ts
 * process.stdout.write(`${helpText({ ...globalSettings, ...appSettings })}\n`);
 * ```
 */
export function helpText(schema: Schema, options: HelpTextOptions = {}): string {
  const { prefix, program = 'rxpulsar <app-module>', more = [] } = options;
  const all = prefix === undefined ? schema : prefixSchema(schema, prefix);
  const globals: Schema = {};
  const app: Schema = {};
  for (const [key, setting] of Object.entries(all)) {
    (setting.global === true ? globals : app)[key] = setting;
  }
  return [
    `Usage: ${program} [options] [args...]`,
    ...section('Global options', globals),
    ...section(prefix === undefined ? 'App options' : `App options (${prefix})`, app),
    ...more.flatMap(({ title, schema: extra }) => section(title, extra)),
    '',
    'Durations are milliseconds or "N unit" (ms, s, m, h, d), such as "30 seconds" or "1.5 s".',
    'Precedence, lowest first: defaults, params, --config file, RXPULSAR_* environment, flags.',
  ].join('\n');
}
