/**
 * The settings of a schema as a Markdown table, for the README and
 * `config/README.md` (written by `npm run docs`, checked by a spec), so that
 * the documented flags, variables and defaults are the schema's own.
 * @module
 */
import { flagsOf } from './helpText.js';
import { envOf } from './names.js';
import type { Schema } from './Setting.js';

/**
 * A Markdown table of the settings: key, flag, environment variable,
 * default and doc, a row per setting in the schema's order (rows unaligned:
 * Prettier aligns them).
 *
 * @param schema - the settings.
 * @returns the table, lines joined by `\n`.
 * @example
 * ```ts
 * const table = settingsTable({ ...globalSettings, ...appSettings });
 * ```
 */
export function settingsTable(schema: Schema): string {
  const rows = Object.entries(schema).map(([key, setting]) => {
    const cells = [
      `\`${key}\``,
      flagsOf(key, setting)
        .split(', ')
        .map((flag) => `\`${flag.replace(/ .*$/, '')}\``)
        .join(', '),
      `\`${envOf(key)}\``,
      `\`${JSON.stringify(setting.default ?? null)}\``,
      setting.doc.replace(/\|/g, '\\|'),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| key | flag | environment variable | default | doc |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
