/**
 * Per-tick batching: envelopes written during one turn of the event loop
 * (the synchronous code and its microtasks) leave in one write, each as a
 * frame of its own (see {@link WireWriter}), none larger than the peer's
 * `maxMessageSize`.
 * @module
 */
import { checkBacklog } from './backlog.js';
import { isRequest, type Envelope } from './protocol.js';
import { WireWriter } from './WireWriter.js';

/**
 * Where the end of a tick is scheduled: a reaction on a settled promise runs
 * in the same microtask queue as `queueMicrotask()`, without the
 * AsyncResource and bound function Node's `queueMicrotask()` makes per call
 * (it showed in the profile of a ping).
 */
const SETTLED = Promise.resolve();

/** Limits of an {@link Outbox}. */
export interface OutboxLimits {
  /**
   * A batch that reaches this many envelopes leaves at once, so that the
   * peer starts on it while this side works on the rest (default 32).
   */
  maxBatch?: number;
  /**
   * Largest frame, in characters (the peer's `maxMessageSize`): an
   * envelope whose frame would be larger is refused (default: no limit).
   */
  maxSize?: number;
  /**
   * What the connection holds unsent already (`socket.writableLength`): a
   * request is refused with `BackpressureError` while that and this tick's
   * batch reach twice `maxSize` (the peer does not read as fast as it is
   * sent to); replies, `notify`, `stop` and `task_run` never are (see `checkBacklog`).
   */
  backlog?: () => number;
}

/**
 * Collects envelopes, encoded, and hands them to `flush` as one text at the
 * end of the current tick.
 *
 * @example
 * ```ts
 * const outbox = new Outbox((frames) => socket.write(frames), { maxSize: 64 << 20 });
 * outbox.push(a); outbox.push(b); // one write: a's frame, then b's
 * ```
 */
export class Outbox {
  private queue = '';
  private queued = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxSize: number;
  private readonly backlog: (() => number) | undefined;
  private writer: WireWriter;

  /**
   * @param flush - writes one batch: frames, each ended by the delimiter.
   * @param limits - batch length and frame size.
   */
  constructor(
    private readonly flush: (frames: string) => void,
    limits: OutboxLimits = {},
  ) {
    this.maxBatch = limits.maxBatch ?? 32;
    this.maxSize = limits.maxSize ?? Infinity;
    this.backlog = limits.backlog;
    this.writer = new WireWriter(this.maxSize);
  }

  /**
   * @param env - the envelope to send with this tick's batch.
   * @throws MessageTooLargeError when the envelope's frame is over `maxSize`; nothing is sent.
   * @throws BackpressureError when it is a request and the connection holds twice `maxSize` unsent.
   */
  push(env: Envelope): void {
    // Replies are never refused: the connection is not even asked (the hot path).
    if (this.backlog !== undefined && isRequest(env)) {
      checkBacklog(
        env,
        this.backlog() + this.queue.length,
        this.maxSize,
        'written to its connection',
      );
    }
    this.queue += this.writer.encode(env);
    if (++this.queued >= this.maxBatch) {
      this.flushNow();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      void SETTLED.then(this.drain);
    }
  }

  /**
   * Drop whatever is waiting (the connection is gone, or `flush` could not
   * write): the next envelopes define their slots again, so that a peer
   * that missed frames is not sent slots it never saw.
   */
  clear(): void {
    this.queue = '';
    this.queued = 0;
    this.writer = new WireWriter(this.maxSize);
  }

  private flushNow(): void {
    const frames = this.queue;
    if (frames === '') return;
    this.queue = '';
    this.queued = 0;
    this.flush(frames);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    this.flushNow();
  };
}
