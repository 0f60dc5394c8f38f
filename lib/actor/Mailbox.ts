/**
 * An actor's requests and replies: it numbers outgoing requests, keeps each
 * until its reply or its deadline, runs incoming requests through the
 * actor's dispatcher and answers them.
 * @module
 */
import { isAsync } from '../async/isAsync.js';
import { decode } from '../codec/decode.js';
import { encode } from '../codec/encode.js';
import { deserializeError, serializeError } from '../codec/serializeError.js';
import { ActorExitedError, TimeoutError } from '../errors.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { ActorMessage } from './ActorMessage.js';
import { isRequest, TRANSFER, type Envelope, type Request } from '../transport/protocol.js';

/** Runs a request's command; may return a promise. */
export type Dispatcher = (request: Request, args: unknown[]) => unknown;

interface Pending {
  message: ActorMessage;
  deadline: number;
}

const SWEEP_MS = 100;

/** Slots of a {@link PendingTable}'s ring (a power of two). */
const RING = 256;
const RING_MASK = RING - 1;

/**
 * The requests waiting for a reply, by id. Not a `Map`: when V8 outgrows a
 * Map's hash table it links the old table to the new one (for iterators
 * still walking it), and under a steady churn of requests each dead table,
 * once promoted to the old generation, kept its successor and the requests
 * it held alive through the next scavenge, and so on until a full GC: in a
 * pipelined echo the arbiter promoted about 2 MB per scavenge. Ids are
 * sequential, so a ring of slots indexed by the id's low bits holds them
 * without hashing; an id whose slot is still taken by an older request
 * (more than `RING` in flight, or a slow one) waits in a Map instead.
 */
class PendingTable {
  /** How many are waiting. */
  size = 0;
  private ring: (ActorMessage | undefined)[] | undefined;
  private deadlines: Float64Array | undefined;
  private readonly overflow = new Map<number, Pending>();

  get(id: number): ActorMessage | undefined {
    const message = this.ring?.[id & RING_MASK];
    if (message !== undefined && message.id === id) return message;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id)?.message;
  }

  /** @param message - a request not waiting yet (its id is new). */
  add(message: ActorMessage, deadline: number): void {
    const ring = (this.ring ??= new Array<ActorMessage | undefined>(RING).fill(undefined));
    const slot = message.id & RING_MASK;
    this.size++;
    if (ring[slot] === undefined) {
      ring[slot] = message;
      (this.deadlines ??= new Float64Array(RING))[slot] = deadline;
    } else {
      this.overflow.set(message.id, { message, deadline });
    }
  }

  delete(id: number): void {
    const ring = this.ring;
    const slot = id & RING_MASK;
    if (ring !== undefined && ring[slot]?.id === id) {
      ring[slot] = undefined;
      this.size--;
    } else if (this.overflow.delete(id)) {
      this.size--;
    }
  }

  /**
   * Drop the requests their caller cancelled and take out those past their
   * deadline, without walking (or sorting) every waiting one: the ring's
   * slots, then the overflow in its order (ids, so deadlines: a mailbox has
   * one timeout) up to the first one still waiting. With 300,000 waiting, a
   * sort of them all every 100 ms kept the arbiter's core 78% busy.
   *
   * @param now - the time to compare deadlines with.
   * @returns the requests past their deadline, oldest first.
   */
  expire(now: number): ActorMessage[] {
    const expired: ActorMessage[] = [];
    const ring = this.ring;
    if (ring !== undefined) {
      for (let slot = 0; slot < RING; slot++) {
        const message = ring[slot];
        if (message === undefined || (!message.called && this.deadlines![slot]! > now)) continue;
        ring[slot] = undefined;
        this.size--;
        if (!message.called) expired.push(message);
      }
    }
    for (const [id, { message, deadline }] of this.overflow) {
      if (!message.called && deadline > now) break;
      this.overflow.delete(id);
      this.size--;
      if (!message.called) expired.push(message);
    }
    return expired.sort((a, b) => a.id - b.id);
  }

  /** @returns the ids waiting, oldest first (a copy: deleting while walking it is safe). */
  ids(): number[] {
    const ids: number[] = [...this.overflow.keys()];
    for (const message of this.ring ?? []) if (message !== undefined) ids.push(message.id);
    return ids.sort((a, b) => a - b);
  }
}

/**
 * Arguments and results are encoded in binary mode: bytes are copied once
 * into ArrayBuffers, which a MessagePort transfers and a socket writes in
 * base64 (the Outbox does, only for the envelopes that have some). One
 * list for every call (encoding is synchronous): nothing allocated for the
 * many envelopes without bytes.
 */
const BUFFERS: ArrayBuffer[] = [];
const BINARY = { transfer: BUFFERS };

/** `encode()` in binary mode; the ArrayBuffers made are moved to `env`. */
function encodeFor(value: unknown): unknown {
  if (BUFFERS.length > 0) BUFFERS.length = 0; // left by an encoding that failed
  return encode(value, BINARY);
}

/** Attach the ArrayBuffers of the last {@link encodeFor} to the envelope. */
function withBuffers<E extends Envelope>(env: E): E {
  if (BUFFERS.length > 0) env[TRANSFER] = BUFFERS.splice(0);
  return env;
}

/**
 * Requests out, replies in, for one actor.
 *
 * @example
 * ```ts
 * const mailbox = new Mailbox(aid, (env) => client.send(env), dispatch, 30_000);
 * const reply = mailbox.request('arbiter', 'ping', []);
 * ```
 */
export class Mailbox {
  /** Requests this mailbox answered. */
  served = 0;
  /** Incoming requests not answered yet. */
  inFlight = 0;
  /** How long the requests it answered took, while `latency.enabled` (metrics on). */
  readonly latency = new LatencyHistogram();
  private nextId = 1;
  private readonly pending = new PendingTable();
  private sweeper: NodeJS.Timeout | undefined;

  /**
   * @param aid - the owner's aid (`from` of everything sent).
   * @param transport - writes an envelope towards its target.
   * @param dispatch - runs an incoming request's command.
   * @param requestTimeout - deadline of every request, in milliseconds.
   */
  constructor(
    readonly aid: string,
    private readonly transport: (env: Envelope) => void,
    private readonly dispatch: Dispatcher,
    private readonly requestTimeout: number,
    private readonly onServed: () => void = () => undefined,
  ) {}

  /** Messages sent (requests and notifications; replies not counted). */
  get sent(): number {
    return this.nextId - 1;
  }

  /** Requests sent and not yet answered. */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Send a request.
   *
   * @param to - aid or name of the target.
   * @param cmd - the command.
   * @param args - its arguments (encoded here; a value that cannot travel fails the message).
   * @param ack - `false`: no reply is expected, the message fires at once.
   * @returns the Deferred of the reply.
   */
  request(to: string, cmd: string, args: unknown[], ack = true): ActorMessage {
    const id = this.nextId++;
    const message = new ActorMessage(id, to, cmd);
    let encoded: unknown[];
    try {
      encoded = encodeFor(args) as unknown[];
    } catch (err) {
      message.errback(err);
      return message;
    }
    if (ack) {
      this.pending.add(message, Date.now() + this.requestTimeout);
      // One timer for all deadlines, kept while requests come (unref'd:
      // waiting requests do not keep a process alive; their connection does).
      this.sweeper ??= setInterval(this.sweep, SWEEP_MS).unref();
    }
    try {
      this.transport(withBuffers({ id, from: this.aid, to, cmd, args: encoded, ack }));
    } catch (err) {
      // Too large for the wire (MessageTooLargeError): this call fails, here.
      this.pending.delete(id);
      message.errback(err);
      return message;
    }
    if (!ack) message.callback(undefined);
    return message;
  }

  /** @param env - an envelope addressed to this actor. */
  receive(env: Envelope): void {
    if (isRequest(env)) {
      this.serve(env);
      return;
    }
    const message = this.pending.get(env.id);
    if (message === undefined) return; // late reply after a deadline
    this.pending.delete(env.id);
    if (message.called) return; // cancelled by the caller
    if (env.ok) {
      let value: unknown;
      try {
        value = decode(env.value);
      } catch (err) {
        message.errback(err);
        return;
      }
      message.callback(value);
    } else if (env.error !== undefined) {
      message.errback(deserializeError(env.error));
    }
  }

  /**
   * Fail every request waiting on `target` (it exited), or on anyone.
   * @param error - the error to fail them with.
   * @param target - only requests sent to this aid or name.
   */
  fail(error: Error, target?: string): void {
    for (const id of this.pending.ids()) {
      const message = this.pending.get(id);
      if (message === undefined) continue;
      if (target !== undefined && message.target !== target) continue;
      this.pending.delete(id);
      if (!message.called) message.errback(error);
    }
  }

  /** Fail all waiting requests and stop the deadline timer. */
  close(): void {
    this.fail(new ActorExitedError(`actor ${this.aid} stopped before the reply came`));
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private serve(request: Request): void {
    this.inFlight++;
    const started = this.latency.enabled ? this.latency.start() : 0;
    let outcome: unknown;
    try {
      const args = decode(request.args) as unknown[];
      outcome = this.dispatch(request, args);
    } catch (err) {
      this.answer(request, false, err, started);
      return;
    }
    if (!isAsync(outcome)) {
      // A plain value is answered at once (no promise, no extra microtask):
      // the reply still leaves with this tick's batch.
      this.answer(request, true, outcome, started);
      return;
    }
    Promise.resolve(outcome).then(
      (value) => this.answer(request, true, value, started),
      (err: unknown) => this.answer(request, false, err, started),
    );
  }

  private answer(request: Request, ok: boolean, value: unknown, started: number): void {
    if (this.latency.enabled) this.latency.end(started);
    this.inFlight--;
    this.served++;
    this.onServed();
    if (!request.ack) return;
    const base = { id: request.id, from: this.aid, to: request.from };
    if (ok) {
      try {
        const encoded = encodeFor(value);
        this.transport(
          withBuffers({ id: request.id, from: this.aid, to: request.from, ok, value: encoded }),
        );
        return;
      } catch (err) {
        // A value that cannot travel, or a reply too large for the wire: the
        // caller gets the error instead, and this actor goes on.
        value = err;
      }
    }
    try {
      this.transport({ ...base, ok: false, error: serializeError(value) });
    } catch (err) {
      // The error itself is too large (a huge message or stack): its class and code only.
      const short = err instanceof Error ? err : new Error(String(err));
      const name = value instanceof Error ? value.name : typeof value;
      short.message = `the error reply (${name}) is too large: ${short.message}`;
      short.stack = undefined;
      this.transport({ ...base, ok: false, error: serializeError(short) });
    }
  }

  private readonly sweep = (): void => {
    if (this.pending.size === 0) {
      // Idle: stop waking up; the next request starts the timer again.
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    for (const message of this.pending.expire(Date.now())) {
      // Cancelled meanwhile by another one's errback: nothing to tell.
      if (message.called) continue;
      message.errback(
        new TimeoutError(
          `no reply to "${message.command}" from ${message.target} within ${this.requestTimeout} ms`,
        ),
      );
    }
  };
}
