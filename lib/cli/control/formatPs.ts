/**
 * The `rxpulsar ps` table.
 * @module
 */
import type { PsRow } from '../../control/psRows.js';

/** @returns bytes as `12.3 MB`. */
function bytes(n: number): string {
  if (n <= 0) return '-';
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** @returns seconds as `42s`, `3m`, `5h`, `2d`. */
function age(s: number): string {
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * Format `ps` rows as an aligned table.
 *
 * @param rows - the rows.
 * @returns the table (a header line, then one line per actor).
 * @example
 * ```ts
 * console.log(formatPs(rows));
 * ```
 */
export function formatPs(rows: PsRow[]): string {
  const header = [
    'APP',
    'MONITOR',
    'AID',
    'PID',
    'STATE',
    'AGE',
    'REQUESTS',
    'IN FLIGHT',
    'MEMORY',
    'RESTARTS',
    'BREAKER',
  ];
  const lines = rows.map((r) => [
    r.app || '-',
    r.monitor || '-',
    r.aid,
    r.threadId !== null ? `${String(r.pid ?? '-')}/t${r.threadId}` : String(r.pid ?? '-'),
    r.state,
    age(r.age),
    String(r.requests),
    String(r.inFlight),
    bytes(r.memory),
    r.monitor === '' ? '-' : String(r.restarts),
    r.breaker || '-',
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((l) => l[i]!.length)));
  const text = table.map((l) =>
    l
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  if (rows.length === 0) text.push('(no actors)');
  return text.join('\n');
}
