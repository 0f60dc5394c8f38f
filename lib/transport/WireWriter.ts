/**
 * Writes envelopes as socket frames: one frame per envelope, a kind
 * character, a text header and only the payload in JSON. `from`, `to` and
 * `cmd` repeat on every message of a connection: each is sent once as a
 * slot definition (`s<slot>,"text"`) and then as its slot number, so a
 * ping's header is a dozen characters and the reader rebuilds no strings.
 * A payload that is one string (a request's only argument, a reply's value)
 * travels raw, after a `'`, when it can: no JSON either way.
 * @module
 */
import { checkEnvelopeSize } from './envelopeSize.js';
import {
  asText,
  DELIMITER,
  isRequest,
  KIND,
  RAW,
  SLOT_CHARS,
  SLOTS,
  TRANSFER,
  type Envelope,
} from './protocol.js';

/**
 * Whether a string can travel as it is, without JSON: it holds no frame
 * delimiter, and no lone surrogate (which UTF-8 could not carry).
 */
function isRaw(text: string): boolean {
  return text.indexOf(DELIMITER) === -1 && (text as unknown as WellFormed).isWellFormed();
}

/** `String.prototype.isWellFormed` (Node 20; ES2024, past this project's `lib`). */
interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * The writing side of one connection (its string table is the peer's
 * reader's: one writer per connection, frames written in order).
 *
 * @example
 * ```ts
 * const writer = new WireWriter(64 << 20);
 * socket.write(writer.encode(envelope)); // 's0,"arbiter-…"\f…q1,0,1,2,["hi"]\f'
 * ```
 */
export class WireWriter {
  private readonly slotOf = new Map<string, number>();
  private readonly strings: string[] = [];
  /** The slot taken next once all are in use (round robin). */
  private victim = 0;
  /** Slot definitions made for the envelope being encoded. */
  private defs = '';
  /** Slots the envelope being encoded refers to (so far): not to be reused for it. */
  private pinnedFrom = -1;
  private pinnedTo = -1;

  /**
   * @param maxSize - the largest frame, in characters (the peer's
   *   `maxMessageSize`): an envelope over it is refused.
   */
  constructor(private readonly maxSize = Infinity) {}

  /**
   * The frames of one envelope: the slot definitions it needs, then its own.
   *
   * @param env - the envelope (a binary-mode one gets its bytes in base64, in place).
   * @returns the text to write, every frame ended by the delimiter.
   * @throws MessageTooLargeError when the envelope's frame is over `maxSize`;
   *   nothing is then written, and the table is as it was.
   */
  encode(env: Envelope): string {
    if (env[TRANSFER] !== undefined) asText(env);
    let kind: string;
    let payload: string;
    // The payload's size as JSON, escapes aside (as `checkEnvelopeSize` counts it).
    let size: number;
    if (isRequest(env)) {
      kind = env.ack ? KIND.request : KIND.tell;
      const { args } = env;
      const only = args.length === 1 ? args[0] : undefined;
      if (typeof only === 'string' && isRaw(only)) {
        payload = `${RAW}${only}`;
        size = only.length + 4; // ["…"]
      } else {
        payload = JSON.stringify(args);
        size = payload.length;
      }
    } else if (env.ok) {
      kind = KIND.reply;
      const { value } = env;
      if (typeof value === 'string' && isRaw(value)) {
        payload = `${RAW}${value}`;
        size = value.length + 2; // "…"
      } else {
        payload = value === undefined ? '' : JSON.stringify(value);
        size = payload.length;
      }
    } else {
      kind = KIND.error;
      payload = JSON.stringify(env.error ?? {});
      size = payload.length;
    }
    if (this.maxSize !== Infinity) checkEnvelopeSize(env, this.maxSize, size);
    this.pinnedFrom = -1;
    this.pinnedTo = -1;
    const from = this.ref(env.from);
    this.pinnedFrom = typeof from === 'number' ? from : -1; // its slot, or none (written in place)
    const to = this.ref(env.to);
    let header: string;
    if (isRequest(env)) {
      this.pinnedTo = typeof to === 'number' ? to : -1;
      header = `${kind}${env.id},${from},${to},${this.ref(env.cmd)},`;
    } else {
      header = `${kind}${env.id},${from},${to},`;
    }
    const defs = this.defs;
    if (defs === '') return `${header}${payload}${DELIMITER}`;
    this.defs = '';
    return `${defs}${header}${payload}${DELIMITER}`;
  }

  /** A string as the header writes it: its slot (defined first if new), or JSON. */
  private ref(text: string): string | number {
    let slot = this.slotOf.get(text);
    if (slot === undefined) {
      if (text.length > SLOT_CHARS) return JSON.stringify(text);
      slot = this.take();
      const old = this.strings[slot];
      if (old !== undefined) this.slotOf.delete(old);
      this.strings[slot] = text;
      this.slotOf.set(text, slot);
      this.defs += `${KIND.slot}${slot},${JSON.stringify(text)}${DELIMITER}`;
    }
    return slot;
  }

  /** A free slot, or the oldest one this envelope does not use. */
  private take(): number {
    if (this.strings.length < SLOTS) return this.strings.length;
    let slot = this.victim;
    while (slot === this.pinnedFrom || slot === this.pinnedTo) slot = (slot + 1) % SLOTS;
    this.victim = (slot + 1) % SLOTS;
    return slot;
  }
}
