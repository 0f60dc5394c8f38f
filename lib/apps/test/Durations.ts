/**
 * How long each spec file took in earlier runs, kept in a small JSON file
 * under the project, to schedule the longest files first.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** The default cache file, relative to the current directory. */
export const DURATIONS_FILE = '.rxpulsar-test-durations.json';

/**
 * The durations cache: milliseconds by file path (relative to the cache's folder).
 *
 * @example
 * ```ts
 * const durations = new Durations('.rxpulsar-test-durations.json');
 * const order = durations.order(files); // unknown files first, then longest first
 * durations.set(file, 1234);
 * durations.save();
 * ```
 */
export class Durations {
  private readonly path: string;
  private readonly times: Record<string, number>;

  /** @param path - the cache file (read now; a missing or bad file is an empty cache). */
  constructor(path: string = DURATIONS_FILE) {
    this.path = resolve(path);
    this.times = Durations.read(this.path);
  }

  private static read(path: string): Record<string, number> {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return {};
      const times: Record<string, number> = {};
      for (const [file, ms] of Object.entries(parsed)) if (typeof ms === 'number') times[file] = ms;
      return times;
    } catch {
      return {};
    }
  }

  /**
   * @param file - a spec file.
   * @returns its last duration in ms, or `undefined` (no history).
   */
  get(file: string): number | undefined {
    return this.times[this.key(file)];
  }

  /**
   * @param file - a spec file.
   * @param ms - how long it took.
   */
  set(file: string, ms: number): void {
    this.times[this.key(file)] = Math.round(ms);
  }

  /**
   * @param files - spec files.
   * @returns them in scheduling order: files with no history first (in the
   *   given order), then the longest first.
   */
  order(files: string[]): string[] {
    const unknown = files.filter((f) => this.get(f) === undefined);
    const known = files.filter((f) => this.get(f) !== undefined);
    known.sort((a, b) => this.get(b)! - this.get(a)!);
    return [...unknown, ...known];
  }

  /** Write the cache (atomically: a temporary file renamed); errors are ignored. */
  save(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const sorted = Object.fromEntries(
        Object.entries(this.times).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(sorted, null, 2)}\n`);
      renameSync(tmp, this.path);
    } catch {
      // A read-only project still runs its tests.
    }
  }

  private key(file: string): string {
    return relative(dirname(this.path), resolve(file));
  }
}
