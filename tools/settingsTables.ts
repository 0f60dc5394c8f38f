/**
 * Writes the settings tables of README.md and config/README.md from the
 * schemas (`npm run docs`), between `<!-- settings-table -->` and
 * `<!-- /settings-table -->`. With `--check`, writes nothing and exits 1 when
 * a table differs from the schema's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appSettings, globalSettings, serverSettings } from '../lib/config/settings.js';
import { settingsTable } from '../lib/config/settingsTable.js';

const START = '<!-- settings-table -->';
const END = '<!-- /settings-table -->';

/** The files that hold a settings table, relative to the repository. */
export const TABLE_FILES = ['README.md', 'config/README.md'];

/** @returns the table the docs must hold. */
export function expectedTable(): string {
  return settingsTable({ ...globalSettings, ...appSettings, ...serverSettings });
}

/** Rows with their cells trimmed, so that Prettier's alignment does not count. */
export function normalize(table: string): string {
  return table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .split('|')
        .map((cell) => (/^\s*-+\s*$/.test(cell) ? '---' : cell.trim()))
        .join('|'),
    )
    .join('\n');
}

/** @returns the table between the markers of `text`, or `undefined`. */
export function tableIn(text: string): string | undefined {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) return undefined;
  return text.slice(start + START.length, end);
}

function main(): number {
  const root = new URL('../../', import.meta.url);
  const check = process.argv.includes('--check');
  let differ = 0;
  for (const name of TABLE_FILES) {
    const path = fileURLToPath(new URL(name, root));
    const text = readFileSync(path, 'utf8');
    const current = tableIn(text);
    if (current === undefined) throw new Error(`${name}: no ${START} … ${END}`);
    if (normalize(current) === normalize(expectedTable())) continue;
    differ++;
    if (check) console.error(`${name}: the settings table differs from the schema`);
    else writeFileSync(path, text.replace(current, `\n${expectedTable()}\n`));
  }
  return check && differ > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
