/**
 * Close a BullMQ object (Queue, QueueEvents) within a bound. BullMQ's close
 * waits for its connection's `end` event; a connection that lost Redis and
 * waits to reconnect never emits it, so the close never returns (reproduced
 * with BullMQ 6.7: a QueueEvents closed while Redis restarts; BullMQ #4656).
 * Past the bound the connections are dropped: nothing is left to wait for.
 * @module
 */

/** ms a BullMQ close may take before its connections are dropped. */
export const CLOSE_BOUND = 3000;

/** What a BullMQ object (Queue, QueueEvents, Worker) looks like to us (its backend's fields are BullMQ's private ones). */
export interface Closable {
  close(force?: boolean): Promise<void>;
}

interface Droppable {
  disconnect(): void;
  /** ioredis's: rejects the commands still queued (a reconnecting client keeps them for ever). */
  flushQueue?(error: Error): void;
}

/**
 * The raw ioredis clients under a BullMQ object, found through BullMQ's
 * private fields (its version is pinned); none if they moved.
 * @param bull - a Queue or QueueEvents.
 * @returns its clients.
 */
function clientsOf(bull: Closable): Droppable[] {
  const backend = (bull as { backend?: Record<string, { _client?: Droppable } | undefined> })
    .backend;
  return [backend?.['blockingConnection'], backend?.['connection']]
    .map((c) => c?._client)
    .filter((c): c is Droppable => typeof c?.disconnect === 'function');
}

/**
 * Close `bull`; if that takes over `bound` ms (or fails), drop its
 * connections. Never rejects, never waits past the bound.
 * @param bull - a Queue or QueueEvents, or nothing.
 * @param bound - ms to wait for BullMQ's own close.
 * @param force - a Worker's `close(true)`: not waiting for its running jobs.
 * @returns whether BullMQ's close finished in time.
 * @example
 * ```ts
 * await closeBull(queue); // Redis down or not
 * ```
 */
export async function closeBull(
  bull: Closable | undefined,
  bound = CLOSE_BOUND,
  force = false,
): Promise<boolean> {
  if (bull === undefined) return true;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    bull.close(force).then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), bound))),
  ]);
  clearTimeout(timer);
  if (!closed) {
    for (const c of clientsOf(bull)) {
      c.disconnect();
      // BullMQ's blocking read waits in the queue with a watchdog timer
      // (11 s): rejected now, it clears the timer and the process may exit.
      c.flushQueue?.(new Error('Connection is closed.'));
    }
  }
  return closed;
}
