/**
 * The {@link Link} of a thread actor: a `MessagePort` of a channel the
 * arbiter made at spawn, the other port given to the thread. Envelopes
 * travel by structured clone, batched per tick (one `postMessage` per
 * batch, packed flat: see `portWire`). The peer is code of this very process: no framing, no JSON and
 * no hostile-input guards (those are for sockets), but the same
 * `maxMessageSize` (measured without serializing) so that a call fails the
 * same way on either transport, and the same bound on what waits unread
 * (twice `maxMessageSize`; see `checkBacklog`): each batch tells how much
 * its sender has read of what it was sent, and a side that reads without
 * sending anything says so every {@link REPORT_EVERY} characters read. Both
 * sides use it.
 * @module
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Subject } from '../rx.js';
import { checkBacklog } from './backlog.js';
import { checkEnvelopeSize } from './envelopeSize.js';
import type { Link } from './Link.js';
import { flowOf, pack, unpack, type WireState } from './portWire.js';
import { TRANSFER, type Envelope } from './protocol.js';

/** Settings of a {@link PortLink}. */
export interface PortLinkOptions {
  /** Largest envelope, in JSON characters with a frame's overhead (default: no limit). */
  maxMessageSize?: number;
  /** Told why, when the peer broke the protocol (the link closes). */
  onReject?: (reason: string) => void;
  /** Receives the arbiter's control messages (see {@link PortControl}). */
  onControl?: (control: PortControl) => void;
}

/**
 * What the arbiter tells a thread besides envelopes: here is a direct
 * channel to actor `peer` (`port`), or actor `exited` is gone (`message`).
 */
export type PortControl = { peer: string; port: MessagePort } | { exited: string; message: string };

/** What a side that reads without sending tells the other: how much it has read. */
interface ReadReport {
  read: number;
}

/** A batch leaves at once when it reaches this many envelopes. */
const MAX_BATCH = 32;
/**
 * A batch leaves at once when its envelopes measure this many characters
 * (as `maxMessageSize` counts them): with large payloads the clone is the
 * cost, not the message, and the peer starts on one while this side clones
 * the next, as with one `postMessage` each. 32 envelopes of 64 KB in one
 * message made the 64 KB pipelined echo 0.6× a bare `postMessage` echo.
 */
const MAX_BATCH_SIZE = 64 * 1024;
/**
 * A side that has read this many characters more than it last told the
 * other (on a batch of its own) tells it in a message of its own: at most
 * half the smallest `maxMessageSize` (64 KiB), so that a peer that reads is
 * never taken for one that does not.
 */
export const REPORT_EVERY = 32 * 1024;

/**
 * One end of a thread actor's channel.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const link = new PortLink(port1, (batch) => route(link, batch), { maxMessageSize });
 * link.send(envelope);
 * ```
 */
export class PortLink implements Link {
  readonly kind = 'port';
  /** Emits once when the channel is closed (by either side, or a thread that ended). */
  readonly closed$ = new Subject<void>();
  private queue: Envelope[] = [];
  /** The measured size of what is queued (0 without `maxMessageSize`: not measured). */
  private queuedSize = 0;
  /** The measured size of everything posted so far. */
  private postedSize = 0;
  /** What the peer said it has read of that, so far. */
  private peerRead = 0;
  /** The measured size of everything the peer posted and this side has read. */
  private readSize = 0;
  /** The `readSize` last told to the peer. */
  private toldRead = 0;
  /** The ArrayBuffers of the queued binary-mode envelopes, transferred with them. */
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;
  private done = false;
  private readonly maxSize: number;
  private readonly handle: (data: unknown) => void;
  /** What this side packed and unpacked last (see `portWire`). */
  private readonly sent: WireState = {};
  private readonly received: WireState = {};

  /**
   * @param port - this side's port; it is listened to at once.
   * @param onBatch - receives each batch the peer sent.
   * @param options - size limit and rejection reporting.
   */
  constructor(
    private readonly port: MessagePort,
    onBatch: (batch: Envelope[]) => void,
    private readonly options: PortLinkOptions = {},
  ) {
    this.maxSize = options.maxMessageSize ?? Infinity;
    this.handle = (data: unknown): void => {
      if (Array.isArray(data)) {
        const flow = flowOf(data);
        this.readSize += flow.size;
        if (flow.read > this.peerRead) this.peerRead = flow.read;
        onBatch(unpack(data, this.received));
        if (this.readSize - this.toldRead >= REPORT_EVERY) this.schedule();
      } else if (typeof (data as Partial<ReadReport>).read === 'number') {
        this.peerRead = Math.max(this.peerRead, (data as ReadReport).read);
      } else {
        options.onControl?.(data as PortControl);
      }
    };
    port.on('message', this.handle);
    port.once('close', () => this.markClosed());
  }

  /** `true` once the channel is closed. */
  get closed(): boolean {
    return this.done;
  }

  /**
   * @param env - posted with this tick's batch.
   * @throws MessageTooLargeError when it is over `maxMessageSize`; nothing is sent.
   * @throws BackpressureError when it is a request and twice `maxMessageSize`
   *   waits unread by the peer already; nothing is sent.
   */
  send(env: Envelope): void {
    if (this.done) return;
    const size = checkEnvelopeSize(env, this.maxSize);
    const unread = this.postedSize + this.queuedSize - this.peerRead;
    checkBacklog(env, unread, this.maxSize, 'read by its thread');
    this.queuedSize += size;
    const buffers = env[TRANSFER];
    if (buffers !== undefined) for (const buffer of buffers) this.transfer.push(buffer);
    this.queue.push(env);
    if (this.queue.length >= MAX_BATCH || this.queuedSize >= MAX_BATCH_SIZE) {
      this.flush();
    } else {
      this.schedule();
    }
  }

  /** Flush at the end of this tick (and tell what was read, if behind). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.drain);
  }

  /**
   * Hand the peer a direct channel to another thread actor, after what is
   * queued (so that envelopes already routed to it arrive first).
   * @param peer - the aid of the actor at the other end of `port`.
   * @param port - one end of a new MessageChannel (transferred).
   */
  introduce(peer: string, port: MessagePort): void {
    if (this.done) {
      port.close();
      return;
    }
    this.flush();
    this.port.postMessage({ peer, port }, [port]);
  }

  /**
   * Tell the peer that an actor it was introduced to exited.
   * @param aid - the actor.
   * @param message - the `ActorExitedError` message its requests fail with.
   */
  tellExited(aid: string, message: string): void {
    if (this.done) return;
    this.flush();
    this.port.postMessage({ exited: aid, message });
  }

  /**
   * Handle now what the peer posted and this side has not read yet: a
   * thread's last replies, posted just before it exited, are read before
   * its exit fails what waits on it (events of two ports come in no set order).
   */
  readPending(): void {
    if (this.done) return;
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received === undefined) return;
      this.handle(received.message);
    }
  }

  /** @param reason - reported to `onReject`; the channel closes. */
  reject(reason: string): void {
    if (this.done) return;
    this.options.onReject?.(reason);
    this.close();
  }

  /** Post what is queued, then close the channel. */
  close(): void {
    if (this.done) return;
    this.flush();
    this.port.close();
    this.markClosed();
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0 || this.done) return;
    this.queue = [];
    const size = this.queuedSize;
    this.queuedSize = 0;
    const transfer = this.transfer;
    if (transfer.length > 0) this.transfer = [];
    const { from, to } = this.sent;
    try {
      const read = this.readSize;
      const packed = pack(batch, this.sent, { size, read });
      if (transfer.length === 0) this.port.postMessage(packed);
      else this.port.postMessage(packed, transfer);
      this.postedSize += size;
      this.toldRead = read;
    } catch (err) {
      // Not posted (a value that cannot be cloned): the peer's state did not move.
      this.sent.from = from;
      this.sent.to = to;
      throw err;
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    this.flush();
    // Read without a batch to tell it on: told in a message of its own.
    if (this.readSize - this.toldRead >= REPORT_EVERY && !this.done) {
      this.toldRead = this.readSize;
      this.port.postMessage({ read: this.readSize } satisfies ReadReport);
    }
  };

  private markClosed(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    this.queuedSize = 0;
    this.transfer = [];
    this.port.removeAllListeners('message');
    this.closed$.next();
    this.closed$.complete();
  }
}
