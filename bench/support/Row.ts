/**
 * One line of the benchmark table, the scenario contract, and `compare()`,
 * which turns two measurements into a row with its ratio and verdict.
 * @module
 */

/** One line of the table: rxpulsar against a baseline measured in the same run. */
export interface Row {
  /** What was measured, and against which baseline. */
  scenario: string;
  /** The rxpulsar figure. */
  rxpulsar: number;
  /** The baseline figure. */
  baseline: number;
  /** Unit of both figures (`µs`, `msg/s`, `ms`, `MB`). */
  unit: string;
  /** `rxpulsar / baseline`. */
  ratio: number;
  /** The goal for the ratio, e.g. `≤ 1.3×` or `≥ 0.8×`. */
  target?: string;
  /** Whether the ratio meets the target (absent without one). */
  pass?: boolean;
  /** A caveat worth printing (noisy figure, odd baseline). */
  note?: string;
}

/** A benchmark: one file under `bench/`, registered in `bench/index.ts`. */
export interface Scenario {
  /** The name given on the command line (`npm run bench -- <name>`). */
  name: string;
  /** Measure; everything it creates is destroyed before it resolves. */
  run(): Promise<Row[]>;
}

/** How to read a comparison. */
export interface CompareOptions {
  /** `lower` for times and sizes, `higher` for throughputs. */
  better: 'lower' | 'higher';
  /** The ratio to reach, if there is a target. */
  target?: number;
  /** A caveat for the table. */
  note?: string;
}

/**
 * Build a row: the ratio is always `rxpulsar / baseline`, so a time ratio of
 * 1.2 means 20 % slower and a throughput ratio of 0.8 means 20 % fewer
 * messages; the target says which way is good.
 *
 * @param scenario - the label.
 * @param unit - unit of both figures.
 * @param rxpulsar - the rxpulsar figure.
 * @param baseline - the baseline figure.
 * @param options - direction, target and note.
 * @returns the row.
 * @example
 * ```ts
 * compare('round trip 16 B', 'µs', 95, 80, { better: 'lower', target: 1.3 });
 * ```
 */
export function compare(
  scenario: string,
  unit: string,
  rxpulsar: number,
  baseline: number,
  options: CompareOptions,
): Row {
  const ratio = rxpulsar / baseline;
  const row: Row = { scenario, rxpulsar, baseline, unit, ratio };
  if (options.target !== undefined) {
    const t = options.target;
    row.target = `${options.better === 'lower' ? '≤' : '≥'} ${t}×`;
    row.pass = options.better === 'lower' ? ratio <= t : ratio >= t;
  }
  if (options.note !== undefined) row.note = options.note;
  return row;
}
