/**
 * The console table of a benchmark run.
 * @module
 */
import type { Row } from './Row.js';

/** @returns the number with about three significant digits, grouped by thousands. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * Lay rows out as an aligned text table, notes listed under it.
 *
 * @param rows - the rows, in order.
 * @returns the table, lines joined with `\n`.
 * @example
 * ```ts
 * console.log(formatTable(rows));
 * ```
 */
export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'rxpulsar', 'baseline', 'unit', 'ratio', 'target', 'result'];
  const notes: string[] = [];
  const body = rows.map((r) => {
    let label = r.scenario;
    if (r.note !== undefined) {
      if (!notes.includes(r.note)) notes.push(r.note);
      label += ` [${notes.indexOf(r.note) + 1}]`;
    }
    return [
      label,
      formatNumber(r.rxpulsar),
      formatNumber(r.baseline),
      r.unit,
      `${r.ratio.toFixed(2)}×`,
      r.target ?? '',
      r.pass === undefined ? '' : r.pass ? 'pass' : 'SHORT',
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((cells) => cells[i]?.length ?? 0)),
  );
  const right = new Set([1, 2, 4]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line), ...notes.map((n, i) => `[${i + 1}] ${n}`)].join(
    '\n',
  );
}
