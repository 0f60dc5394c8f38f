/**
 * One write a turn on a Redis connection: ioredis writes each command to
 * its socket at once (a `write()` system call each, and a read and a reply
 * write in redis-server), and a BullMQ Worker sends a command per job it
 * completes. The profile of a Redis worker process (4 workers, 16 slots
 * each) had a tenth to a fifth of its busy time in `writeBuffer`, and the
 * completions of one turn (the replies that came in one read) each paid
 * their own. Here the socket is corked at the first command of a turn and
 * uncorked once the turn's code has run (`process.nextTick`): the turn's
 * commands leave in one `writev`, and redis-server reads them at once and
 * answers them in one write. Not ioredis's `enableAutoPipelining`: it
 * builds a `Pipeline` a turn, whose constructor copies every script the
 * connection defines (BullMQ's ~50), and cost these workers more than it
 * saved (docs/choices.md). A job that holds the CPU would hold back the
 * writes corked before it (other tasks' completions: their results late,
 * and run again if the worker is killed meanwhile), so the consumer starts
 * no job while writes are held (`holding()`): it starts it a tick later,
 * after they left. (Flushing them before each job instead split a turn's
 * write in five or six: 1188 writes and 158 writev against 219 reads.)
 * @module
 */
import type { Socket } from 'node:net';

/**
 * The longest a command waits corked, in ms. A job that yields only to
 * microtasks (`await` on values at hand, over and over) keeps the turn from
 * ending; a command sent after this long in a corked turn leaves at once
 * with those held before it (a review found a job's `progress()` and other
 * jobs' completions held for the 2 s of such a job).
 */
export const MAX_CORK_MS = 1;

/** The part of an ioredis client this uses. */
export interface CorkableClient {
  status: string;
  stream?: Socket | undefined;
  sendCommand(command: unknown, stream?: unknown): unknown;
}

/** What a corked turn holds. */
export interface CorkedWrites {
  /** Writes are held until the end of the turn. */
  holding(): boolean;
  /** Send the writes held so far (nothing if none). */
  flush(): void;
}

/**
 * Make the commands `client` sends in one turn leave in one write. Commands
 * given their own stream (a pipeline's) are left alone; a connection not
 * ready (queued commands, the handshake) is not corked.
 *
 * @param client - an ioredis client (or BullMQ's proxy of one: the
 *   assignment reaches the client itself).
 * @returns whether writes are held, and `flush()` to send them at once.
 * @example
 * ```ts
 * const writes = corkWrites(await worker.getBackend().client);
 * if (writes.holding()) writes.flush(); // before something that may hold the CPU
 * ```
 */
export function corkWrites(client: CorkableClient): CorkedWrites {
  // Called with the `this` ioredis gives it (the client itself, not BullMQ's proxy).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const send = client.sendCommand;
  let corked: Socket | undefined;
  let corkedAt = 0;
  const uncork = (): void => {
    const socket = corked;
    corked = undefined;
    socket?.uncork();
  };
  client.sendCommand = function sendCorked(this: CorkableClient, command, stream) {
    if (corked !== undefined && performance.now() - corkedAt > MAX_CORK_MS) {
      const sent = send.call(this, command, stream);
      uncork(); // a turn that lasts: this command and those before it leave now
      return sent;
    }
    if (corked === undefined && stream === undefined && this.status === 'ready') {
      const socket = this.stream;
      if (socket !== undefined && socket.writable) {
        socket.cork();
        corked = socket;
        corkedAt = performance.now();
        // Uncorks once; a flush() meanwhile leaves it nothing to do.
        const held = socket;
        process.nextTick(() => {
          if (corked === held) uncork();
        });
      }
    }
    return send.call(this, command, stream);
  };
  return { holding: () => corked !== undefined, flush: uncork };
}
