/**
 * The reader of a Redis queue's events (a BullMQ `QueueEvents`) for a
 * `RedisTaskClient`: made when the first listener comes, closed once
 * nobody listened for {@link EVENTS_LINGER} ms. BullMQ is loaded by the
 * first listener, never by `import 'rxpulsar'`.
 * @module
 */
import type { QueueEvents } from 'bullmq';
import { closeBull } from './closeBull.js';
import type { RedisOptions } from './redisOptions.js';

/** ms the queue's events are still read after the last listener left. */
export const EVENTS_LINGER = 10_000;

/** The events that change a task: each one has the client read the task again. */
const EVENTS = ['waiting', 'active', 'completed', 'failed', 'delayed', 'progress', 'removed'];

/** Where a queue's events are read from. */
export interface RedisEventsOptions {
  /** The queue's key prefix in Redis. */
  prefix: string;
  /** The Redis connection's options (the reader opens its own connection). */
  connection: RedisOptions;
}

/**
 * The events of one queue, read only while someone listens: each one costs
 * a blocking XREAD, a wake-up and a parse (30 ms of CPU per 1000 tasks,
 * measured), which producing and running tasks need not pay.
 *
 * @example
 * ```ts
 * const events = new RedisEvents('jobs', { prefix: 'rxp', connection }, (id) => refresh(id));
 * events.join();
 * await events.watch(); // reading, from a second before
 * events.leave(); // closed EVENTS_LINGER ms later, unless someone joins
 * await events.stop();
 * await events.close();
 * ```
 */
export class RedisEvents {
  private reader: QueueEvents | undefined;
  private ready: Promise<void> | undefined;
  /** Settled once `reader` is made (or will never be). */
  private made: Promise<void> | undefined;
  /** Closes the reader once nobody listened for {@link EVENTS_LINGER} ms. */
  private idle: NodeJS.Timeout | undefined;
  /** The close of readers nobody listened to any more. */
  private closing: Promise<void> | undefined;
  private listeners = 0;
  private stopped = false;

  /**
   * @param queue - the queue's name.
   * @param options - its prefix and connection.
   * @param onEvent - called with the job's id of each event that changes a task.
   */
  constructor(
    private readonly queue: string,
    private readonly options: RedisEventsOptions,
    private readonly onEvent: (jobId: string) => void,
  ) {}

  /** @returns whether someone listens (then events are worth a read of their task). */
  get listening(): boolean {
    return this.listeners > 0;
  }

  /** @returns whether the events are read, or about to be (see {@link watch}). */
  get watching(): boolean {
    return this.ready !== undefined;
  }

  /** A listener came: the reader is kept (the caller then has it read, see {@link watch}). */
  join(): void {
    this.listeners++;
    clearTimeout(this.idle);
    this.idle = undefined;
  }

  /** A listener left: the last one has the reader closed {@link EVENTS_LINGER} ms later. */
  leave(): void {
    if (--this.listeners === 0 && !this.stopped) {
      this.idle = setTimeout(() => this.closeIdle(), EVENTS_LINGER).unref();
    }
  }

  /**
   * Read the queue's events, from a second before now, so that none of the
   * changes of a listener's tasks is missed.
   * @returns settled once the reader is ready (at once after {@link stop}).
   */
  watch(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ready !== undefined) return this.ready;
    const made = (async () => {
      const { QueueEvents } = await import('bullmq');
      if (this.stopped) return undefined; // stop() came while BullMQ loaded
      const reader = new QueueEvents(this.queue, {
        prefix: this.options.prefix,
        connection: { ...this.options.connection },
        lastEventId: `${Date.now() - 1000}-0`,
      });
      this.reader = reader;
      reader.on('error', () => undefined);
      for (const event of EVENTS) {
        reader.on(event as 'waiting', ({ jobId }: { jobId: string }) => this.onEvent(jobId));
      }
      return reader;
    })();
    this.made = made.then(
      () => undefined,
      () => undefined,
    );
    this.ready = made.then((reader) => reader?.waitUntilReady());
    return this.ready;
  }

  /**
   * Nobody listened for a while: stop reading the events (each costs the
   * arbiter a wake-up and a parse, with no listener left); the next
   * listener reads them again, from a second before it came.
   */
  private closeIdle(): void {
    this.idle = undefined;
    const reader = this.reader;
    // Still starting (loading BullMQ): left open, closed by close().
    if (this.listeners > 0 || this.stopped || reader === undefined) return;
    this.reader = undefined;
    this.ready = undefined;
    const closing = this.closing;
    this.closing = Promise.all([closing, closeBull(reader)]).then(() => undefined);
  }

  /**
   * Read no more: no reader is made from now on.
   * @returns settled once the reader being made, if any, is made (or never will be).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idle);
    this.idle = undefined;
    await this.made?.catch(() => undefined);
  }

  /**
   * Close the reader, after {@link stop}. Each close is bounded (see
   * `closeBull`); the reader is not awaited ready: with Redis down it never
   * would be.
   * @returns settled once every reader is closed.
   */
  async close(): Promise<void> {
    await Promise.all([closeBull(this.reader), this.closing]);
  }
}
