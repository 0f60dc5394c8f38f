/**
 * The per-user registry of running arbiters: one small JSON file per
 * arbiter (`<pid>.json`: pid, name, apps, control socket) in a folder of
 * mode 0700 whose path does not depend on a random name:
 * `$XDG_RUNTIME_DIR/rxpulsar/`, else `<tmpdir>/rxpulsar-uid-<uid>/`.
 * Entries of dead arbiters are ignored and removed when listed.
 * @module
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImproperlyConfiguredError } from '../errors.js';
import { processAlive } from '../util/processAlive.js';

/** What the registry knows of a running arbiter. */
export interface ArbiterEntry {
  /** The arbiter's process id. */
  pid: number;
  /** Its name (`--name`, default the app's name). */
  name: string;
  /** The names of its monitors (apps) when it registered. */
  apps: string[];
  /** Path of its control socket. */
  socket: string;
  /** When it started (ms since the epoch). */
  startedAt: number;
}

/**
 * The registry folder, created with mode 0700 when missing.
 *
 * @param env - the environment (default `process.env`).
 * @returns its path.
 * @example
 * ```ts
 * registryDir(); // '/run/user/1000/rxpulsar'
 * ```
 */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_RUNTIME_DIR'];
  const uid = process.getuid?.() ?? 0;
  const dir =
    base !== undefined && base !== ''
      ? join(base, 'rxpulsar')
      : join(tmpdir(), `rxpulsar-uid-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A folder someone else made, or made too open, is not ours to trust.
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid !== undefined && stat.uid !== process.getuid())) {
    throw new ImproperlyConfiguredError(`${dir} is not a folder of this user`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/**
 * Record a running arbiter (this process).
 *
 * @param entry - what to record.
 * @returns the entry's file path (remove it with {@link unregisterArbiter}).
 * @example
 * ```ts
 * registerArbiter({ pid: process.pid, name: 'web', apps: ['web'], socket, startedAt: Date.now() });
 * ```
 */
export function registerArbiter(entry: ArbiterEntry): string {
  const path = join(registryDir(), `${entry.pid}.json`);
  writeFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  return path;
}

/**
 * Remove an arbiter's entry (when it stops).
 * @param path - what {@link registerArbiter} returned.
 * @example
 * ```ts
 * unregisterArbiter(path);
 * ```
 */
export function unregisterArbiter(path: string): void {
  rmSync(path, { force: true });
}

function readEntry(path: string): ArbiterEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<ArbiterEntry>;
    if (typeof entry.pid !== 'number' || typeof entry.socket !== 'string') return undefined;
    return {
      pid: entry.pid,
      name: String(entry.name ?? entry.pid),
      apps: Array.isArray(entry.apps) ? entry.apps.map(String) : [],
      socket: entry.socket,
      startedAt: Number(entry.startedAt ?? 0),
    };
  } catch {
    return undefined;
  }
}

/**
 * The running arbiters of this user, oldest first; entries of dead
 * arbiters (and unreadable ones) are removed.
 *
 * @param env - the environment (default `process.env`).
 * @returns the live entries.
 * @example
 * ```ts
 * for (const a of listArbiters()) console.log(a.pid, a.name);
 * ```
 */
export function listArbiters(env: NodeJS.ProcessEnv = process.env): ArbiterEntry[] {
  const dir = registryDir(env);
  const live: ArbiterEntry[] = [];
  for (const file of readdirSync(dir)) {
    if (!/^\d+\.json$/.test(file)) continue;
    const path = join(dir, file);
    const entry = readEntry(path);
    if (entry === undefined || !processAlive(entry.pid) || !existsSync(entry.socket)) {
      rmSync(path, { force: true });
      continue;
    }
    live.push(entry);
  }
  return live.sort((a, b) => a.startedAt - b.startedAt);
}
