/**
 * The JSON configuration file: read and parse, reporting failures as
 * configuration problems rather than throwing.
 * @module
 */
import { readFileSync } from 'node:fs';

/** The outcome of {@link readConfigFile}. */
export type ReadResult =
  { ok: true; data: Record<string, unknown> } | { ok: false; expected: string };

/**
 * Read a JSON configuration file: an object of settings by key.
 *
 * @param path - an absolute path.
 * @returns the settings, or why the file cannot be used.
 * @example
 * ```ts
 * const read = readConfigFile('/etc/rxpulsar/app.json');
 * if (read.ok) console.log(Object.keys(read.data));
 * ```
 */
export function readConfigFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    return { ok: false, expected: `must be a readable JSON file (${why})` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, expected: `must be valid JSON: ${(err as Error).message}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, expected: 'must be a JSON object of settings by key' };
  }
  return { ok: true, data: data as Record<string, unknown> };
}
