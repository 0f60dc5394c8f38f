/**
 * Temp folders with long paths, for the Unix-socket path limit (see
 * lib/util/checkSocketPath.ts): a folder whose path has an exact length,
 * and a run with `TMPDIR` pointed at it (`os.tmpdir()` reads it each time).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A long folder made in the temp directory, and how to remove it. */
export interface LongFolder {
  path: string;
  remove(): void;
}

/**
 * Make a folder whose path is exactly `bytes` long (ASCII), inside a fresh
 * folder of the temp directory.
 */
export function longFolder(bytes: number): LongFolder {
  const base = mkdtempSync(join(tmpdir(), 'rxp-long-'));
  const fill = bytes - base.length - 1;
  if (fill < 1) throw new Error(`the temp directory ${base} is too long for ${bytes} bytes`);
  const path = join(base, 'd'.repeat(fill));
  mkdirSync(path);
  return { path, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Run `body` with `TMPDIR` set to `dir`, then set it back. */
export async function withTmpdir<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = dir;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
}
