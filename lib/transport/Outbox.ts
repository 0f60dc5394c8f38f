/**
 * Per-tick batching: envelopes written during one turn of the event loop
 * (the synchronous code and its microtasks) leave as one frame, and no
 * frame grows past the peer's `maxMessageSize`.
 * @module
 */
import { MessageTooLargeError } from '../errors.js';
import { asText, FRAME_OVERHEAD, isRequest, TRANSFER, type Envelope } from './protocol.js';

/** Limits of an {@link Outbox}. */
export interface OutboxLimits {
  /**
   * A batch that reaches this many envelopes leaves at once, so that the
   * peer starts on it while this side works on the rest (default 32).
   */
  maxBatch?: number;
  /**
   * Largest frame, in characters (the peer's `maxMessageSize`): a batch
   * leaves before an envelope would take it past this, and an envelope too
   * large for a frame of its own is refused (default: no limit).
   */
  maxSize?: number;
}

/**
 * Collects envelopes, serialized, and hands them to `flush` as one batch at
 * the end of the current tick.
 *
 * @example
 * ```ts
 * const outbox = new Outbox((parts) => socket.write(frameOf(parts, '\f')), { maxSize: 64 << 20 });
 * outbox.push(a); outbox.push(b); // one frame with [a, b]
 * ```
 */
export class Outbox {
  private queue: string[] = [];
  /** Characters of the frame the queue makes. */
  private size = FRAME_OVERHEAD;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxSize: number;

  /**
   * @param flush - writes one batch (envelopes as JSON texts; see `frameOf()`).
   * @param limits - batch length and frame size.
   */
  constructor(
    private readonly flush: (parts: string[]) => void,
    limits: OutboxLimits = {},
  ) {
    this.maxBatch = limits.maxBatch ?? 32;
    this.maxSize = limits.maxSize ?? Infinity;
  }

  /**
   * @param env - the envelope to send with this tick's batch.
   * @throws MessageTooLargeError when the envelope alone makes a frame over `maxSize`; nothing is sent.
   */
  push(env: Envelope): void {
    const json = JSON.stringify(env[TRANSFER] === undefined ? env : asText(env));
    const separator = this.queue.length > 0 ? 1 : 0;
    if (FRAME_OVERHEAD + json.length > this.maxSize) {
      const what = isRequest(env) ? `request "${env.cmd}"` : 'reply';
      throw new MessageTooLargeError(
        `${what} to ${env.to} makes a frame of ${FRAME_OVERHEAD + json.length} characters, ` +
          `over maxMessageSize (${this.maxSize})`,
      );
    }
    if (this.size + separator + json.length > this.maxSize) this.flushNow();
    this.size += (this.queue.length > 0 ? 1 : 0) + json.length;
    this.queue.push(json);
    if (this.queue.length >= this.maxBatch) {
      this.flushNow();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  /** Drop whatever is waiting (the connection is gone). */
  clear(): void {
    this.queue = [];
    this.size = FRAME_OVERHEAD;
  }

  private flushNow(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.size = FRAME_OVERHEAD;
    this.flush(batch);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    this.flushNow();
  };
}
