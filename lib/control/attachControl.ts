/**
 * Give an arbiter its control socket: listen in its private runtime folder
 * and record it in the per-user registry, so that `rxpulsar ps` and the
 * other control commands find it from another terminal.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { listArbiters, registerArbiter, unregisterArbiter } from './arbiterRegistry.js';
import { controlOps } from './controlOps.js';
import { ControlServer } from './ControlServer.js';
import { checkSocketPath } from '../util/checkSocketPath.js';

/** How often the socket and the registry entry are checked, in ms. */
const HEAL_PERIOD = 5000;

/** What the control socket needs to know. */
export interface ControlOptions {
  /** The private runtime folder (mode 0700) the socket goes in. */
  dir: string;
  /** The arbiter's name in the registry (default: its first app's name, else its pid). */
  name?: string | undefined;
  /** `true` when the arbiter handles its signals (`stop` then sends them). */
  signals: boolean;
}

/**
 * Start the control socket of `arbiter`.
 *
 * @param arbiter - the arbiter.
 * @param options - folder, name, signals.
 * @returns `close()`: closes the socket and removes the registry entry.
 * @throws ListenError when the socket's path is too long for a Unix socket
 *   (another failure to listen is logged: the arbiter runs without it).
 * @example
 * ```ts
 * const close = await attachControl(arbiter, { dir, signals: true });
 * await close();
 * ```
 */
export async function attachControl(
  arbiter: Arbiter,
  options: ControlOptions,
): Promise<() => Promise<void>> {
  const socket = join(options.dir, 'control.sock');
  // Node would bind a cut path (see checkSocketPath): the arbiter's start fails instead.
  checkSocketPath(socket, 'control');
  const server = new ControlServer(controlOps(arbiter, { signals: options.signals }));
  try {
    await server.listen(socket);
  } catch (err) {
    // The arbiter runs without it: its apps matter more than its controls.
    arbiter.logger.warn(`control: cannot listen on ${socket} (${String(err)})`);
    return () => server.close();
  }
  const apps = [...arbiter.monitors.keys()];
  const record = {
    pid: process.pid,
    name: options.name ?? apps[0] ?? String(process.pid),
    apps,
    socket,
    startedAt: Date.now(),
  };
  let entry: string | undefined;
  try {
    entry = registerArbiter(record);
  } catch (err) {
    // No registry (a read-only temp folder): the arbiter runs, unlisted.
    arbiter.logger.warn(`control: not registered (${String(err)})`);
  }
  // A temp-folder cleaner may delete the socket or the entry: put them back.
  let swept = false;
  const heal = async (): Promise<void> => {
    // The entries of arbiters that died go at the first check, not at the
    // start (a short run pays nothing; `rxpulsar ps` skips and removes them too).
    if (!swept && entry !== undefined) {
      swept = true;
      listArbiters();
    }
    if (await server.ensureListening())
      arbiter.logger.warn(`control: ${socket} was removed: listening again`);
    if (entry !== undefined && !existsSync(entry)) entry = registerArbiter(record);
  };
  const periodic = arbiter.loop.addPeriodic(() => {
    heal().catch((err: unknown) => arbiter.logger.warn(`control: ${String(err)}`));
  }, HEAL_PERIOD);
  return async () => {
    periodic.stop();
    if (entry !== undefined) unregisterArbiter(entry);
    await server.close();
  };
}
