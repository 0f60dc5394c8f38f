/**
 * What a warm spare child and its arbiter say to each other over the
 * child's own channel (a process's IPC channel, a thread's `parentPort`):
 * the spare is warm; here is your data; the actor runs.
 * @module
 */
import type { ChildData } from './ChildData.js';

/** Environment variable set (to `1`) in a spare process: its data comes later. */
export const SPARE_ENV = 'RXPULSAR_SPARE';

/** A message of a spare to its arbiter: `spare` (warm, waiting), `running` (handshake sent). */
export interface SpareMessage {
  rxpulsar: 'spare' | 'running';
}

/** The message that turns a spare into an actor. */
export interface SpareAssignment {
  rxpulsar: 'data';
  data: ChildData;
}

/**
 * The kind of a message from a spare, if it is one.
 *
 * @param message - what the child sent.
 * @returns `spare`, `running`, or `undefined` for anything else.
 * @example
 * ```ts
 * worker.messages$.subscribe((m) => spareMessage(m) === 'spare' && warm());
 * ```
 */
export function spareMessage(message: unknown): SpareMessage['rxpulsar'] | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const kind = (message as Partial<SpareMessage>).rxpulsar;
  return kind === 'spare' || kind === 'running' ? kind : undefined;
}

/**
 * The data of an assignment, if the message is one.
 *
 * @param message - what the spare received.
 * @returns its actor's data, or `undefined`.
 * @example
 * ```ts
 * process.on('message', (m) => { const data = spareData(m); if (data) run(data); });
 * ```
 */
export function spareData(message: unknown): ChildData | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { rxpulsar, data } = message as Partial<SpareAssignment>;
  return rxpulsar === 'data' && typeof data === 'object' && data !== null ? data : undefined;
}
