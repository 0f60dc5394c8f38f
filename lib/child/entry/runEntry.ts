/**
 * What both entry points do once they have their data, or wait for it as a
 * warm spare: run the actor, exit 0 when it stops, or print why it failed
 * and exit 1; and a spare's wait for its data on a channel.
 * @module
 */
import { createRequire } from 'node:module';
import type { ChildData } from '../ChildData.js';
import { runChild } from '../runChild.js';
import { spareData, type SpareMessage } from '../spareProtocol.js';

const require = createRequire(import.meta.url);

/**
 * Run the actor of an entry point, then end the process or thread.
 * @param data - its data, or a promise of it (a spare waits for it).
 * @param onRunning - called once the actor runs.
 * @returns a promise that never settles: the process or thread exits.
 * @example
 * ```ts
 * await runEntry(workerData as ChildData, () => undefined);
 * ```
 */
export async function runEntry(
  data: ChildData | Promise<ChildData>,
  onRunning: (data: ChildData) => void,
): Promise<void> {
  try {
    const given = await data;
    await runChild(given, () => {
      onRunning(given);
      // The caches of the child's runtime hold what its start ran (lib/compileCache.cts).
      (require('../../compileCache.cjs') as { actorRunning(): void }).actorRunning();
    });
    process.exit(0);
  } catch (err) {
    process.stderr.write(
      `rxpulsar: actor failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    process.exit(1);
  }
}

/** A channel a spare hears from its arbiter on (the IPC channel, a thread's `parentPort`). */
export interface SpareChannel {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  send(message: SpareMessage): void;
}

/**
 * A spare: say it is warm, then wait for the data of the actor it becomes.
 * @param channel - where its arbiter talks to it.
 * @returns its data.
 * @example
 * ```ts
 * const data = await spareDataFrom({ on: ..., off: ..., send: (m) => process.send?.(m) });
 * ```
 */
export function spareDataFrom(channel: SpareChannel): Promise<ChildData> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      const data = spareData(message);
      if (data === undefined) return;
      channel.off('message', onMessage);
      resolve(data);
    };
    channel.on('message', onMessage);
    channel.send({ rxpulsar: 'spare' });
  });
}
