/**
 * Per-tick batching: envelopes written during one turn of the event loop
 * (the synchronous code and its microtasks) leave as one frame.
 * @module
 */
import type { Envelope } from './protocol.js';

/**
 * Collects envelopes and hands them to `flush` as one batch at the end of
 * the current tick.
 *
 * @example
 * ```ts
 * const outbox = new Outbox((batch) => client.emit('m', batch));
 * outbox.push(a); outbox.push(b); // one frame with [a, b]
 * ```
 */
export class Outbox {
  private queue: Envelope[] = [];
  private scheduled = false;

  /**
   * @param flush - writes one batch.
   * @param maxBatch - a batch that reaches this many envelopes leaves at
   *   once, so that the peer starts on it while this side works on the rest.
   */
  constructor(
    private readonly flush: (batch: Envelope[]) => void,
    private readonly maxBatch = 32,
  ) {}

  /** @param env - the envelope to send with this tick's batch. */
  push(env: Envelope): void {
    this.queue.push(env);
    if (this.queue.length >= this.maxBatch) {
      const batch = this.queue;
      this.queue = [];
      this.flush(batch);
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
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.flush(batch);
  };
}
