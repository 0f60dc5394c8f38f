/**
 * Choose the running arbiter a control command talks to: the only one of
 * this user, or the one named (`--name`), or the one whose pid a pid file
 * holds (`--pid-file`).
 * @module
 */
import { readFileSync } from 'node:fs';
import { ImproperlyConfiguredError, InvalidStateError } from '../errors.js';
import { listArbiters, registryDir, type ArbiterEntry } from './arbiterRegistry.js';

/** How to choose. */
export interface FindOptions {
  /** The arbiter's name, or the name of one of its apps. */
  name?: string | undefined;
  /** A pid file written by the arbiter (`--pid-file`). */
  pidFile?: string | undefined;
  /** The environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Find the arbiter to talk to.
 *
 * @param options - `name` or `pidFile` to choose among several.
 * @returns its registry entry.
 * @throws InvalidStateError when none runs (or none matches): a failure, exit 1.
 * @throws ImproperlyConfiguredError when several run and nothing chooses: bad usage, exit 2.
 * @example
 * ```ts
 * const { socket } = findArbiter({ name: 'web' });
 * ```
 */
export function findArbiter(options: FindOptions = {}): ArbiterEntry {
  const all = listArbiters(options.env);
  if (options.pidFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.pidFile, 'utf8').trim();
    } catch {
      throw new InvalidStateError(`no pid file ${options.pidFile}: is the arbiter running?`);
    }
    const entry = all.find((a) => String(a.pid) === text);
    if (entry === undefined) {
      throw new InvalidStateError(`no running arbiter has the pid ${text} of ${options.pidFile}`);
    }
    return entry;
  }
  const { name } = options;
  const matching =
    name === undefined ? all : all.filter((a) => a.name === name || a.apps.includes(name));
  if (matching.length === 1) return matching[0]!;
  if (matching.length === 0) {
    throw new InvalidStateError(
      name === undefined
        ? `no arbiter is running (none registered in ${registryDir(options.env)})`
        : `no running arbiter is named "${name}"`,
    );
  }
  const list = matching.map((a) => `${a.name} (pid ${a.pid})`).join(', ');
  throw new ImproperlyConfiguredError(
    `${matching.length} arbiters are running: ${list}; choose one with --name or --pid-file`,
  );
}
