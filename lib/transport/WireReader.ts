/**
 * Reads the frames a {@link WireWriter} wrote, from a peer that may be
 * hostile: every header field is checked as it is read (kind, digits,
 * slots defined and in range, strings within their limits), the payload
 * must be JSON of the right shape, and anything else is a `ProtocolError`
 * that says what was wrong. Slot definitions and strings found by slot are
 * the table's own: a ping allocates its payload only.
 * @module
 */
import type { SerializedError } from '../codec/serializeError.js';
import { ProtocolError } from '../errors.js';
import { ID_DIGITS, KIND, SLOT_CHARS, SLOTS, type Envelope } from './protocol.js';

const COMMA = 44;
const APOSTROPHE = 39; // RAW
const QUOTE = 34;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;

/**
 * The reading side of one connection.
 *
 * @example
 * ```ts
 * const wire = new WireReader();
 * const splitter = new FrameReader('\f');
 * splitter.feed(chunk, (frame) => {
 *   const env = wire.read(frame);
 *   if (typeof env === 'object') route(env);
 *   return true;
 * });
 * ```
 */
export class WireReader {
  private readonly strings: (string | undefined)[] = [];
  private pos = 0;

  /**
   * @param frame - one frame, without its delimiter.
   * @returns the envelope it carries; the token of a token frame; or
   *   `undefined` for a slot definition (kept for the frames after it).
   * @throws ProtocolError when the frame is not one a WireWriter writes.
   */
  read(frame: string): Envelope | string | undefined {
    const kind = frame[0];
    this.pos = 1;
    switch (kind) {
      case KIND.request:
      case KIND.tell: {
        const id = this.id(frame);
        const from = this.ref(frame, 'envelope without from/to');
        const to = this.ref(frame, 'envelope without from/to');
        const cmd = this.ref(frame, 'request with a non-string cmd');
        const args =
          frame.charCodeAt(this.pos) === APOSTROPHE ? [this.raw(frame)] : this.payload(frame);
        if (!Array.isArray(args)) throw new ProtocolError('request without an args array');
        return { id, from, to, cmd, args, ack: kind === KIND.request };
      }
      case KIND.reply: {
        const id = this.id(frame);
        const from = this.ref(frame, 'envelope without from/to');
        const to = this.ref(frame, 'envelope without from/to');
        const value =
          this.pos === frame.length
            ? undefined
            : frame.charCodeAt(this.pos) === APOSTROPHE
              ? this.raw(frame)
              : this.payload(frame);
        return { id, from, to, ok: true, value };
      }
      case KIND.error: {
        const id = this.id(frame);
        const from = this.ref(frame, 'envelope without from/to');
        const to = this.ref(frame, 'envelope without from/to');
        const error = this.pos === frame.length ? undefined : this.payload(frame);
        if (typeof error !== 'object' || error === null || Array.isArray(error)) {
          throw new ProtocolError('error reply without an error');
        }
        return { id, from, to, ok: false, error: error as SerializedError };
      }
      case KIND.slot:
        this.define(frame);
        return undefined;
      case KIND.token: {
        const token = this.payload(frame);
        if (typeof token !== 'string') throw new ProtocolError('a token frame without a string');
        return token;
      }
      case undefined:
        throw new ProtocolError('empty frame');
      default:
        throw new ProtocolError(`malformed frame starting ${JSON.stringify(frame.slice(0, 40))}`);
    }
  }

  /** `s<slot>,"text"`: the slot now stands for the text. */
  private define(frame: string): void {
    const slot = this.digits(frame, 3, 'a slot definition without a slot number');
    if (slot >= SLOTS) throw new ProtocolError(`slot ${slot} out of range (0-${SLOTS - 1})`);
    const text = this.payload(frame);
    if (typeof text !== 'string' || text.length > SLOT_CHARS) {
      throw new ProtocolError(
        `slot ${slot} defined as other than a string of at most ${SLOT_CHARS} characters`,
      );
    }
    this.strings[slot] = text;
  }

  private id(frame: string): number {
    return this.digits(frame, ID_DIGITS, 'envelope without a numeric id');
  }

  /** Decimal digits then a comma (consumed). */
  private digits(frame: string, max: number, problem: string): number {
    const start = this.pos;
    let value = 0;
    let code = frame.charCodeAt(start);
    let end = start;
    while (code >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      code = frame.charCodeAt(++end);
    }
    if (end === start || end - start > max || code !== COMMA || !Number.isSafeInteger(value)) {
      throw new ProtocolError(`${problem} at character ${start}`);
    }
    this.pos = end + 1;
    return value;
  }

  /** A slot number, or a JSON string written in place; then a comma. */
  private ref(frame: string, problem: string): string {
    if (frame.charCodeAt(this.pos) !== QUOTE) {
      const slot = this.digits(frame, 3, problem);
      const text = this.strings[slot];
      if (text === undefined) throw new ProtocolError(`${problem}: slot ${slot} is not defined`);
      return text;
    }
    const start = this.pos;
    let end = start + 1;
    for (let code = frame.charCodeAt(end); code !== QUOTE; code = frame.charCodeAt(++end)) {
      if (code !== code) throw new ProtocolError(`${problem}: unterminated string`); // NaN: past the end
      if (code === BACKSLASH) end++;
    }
    if (frame.charCodeAt(end + 1) !== COMMA) throw new ProtocolError(problem);
    this.pos = end + 2;
    try {
      return JSON.parse(frame.slice(start, end + 1)) as string;
    } catch (err) {
      throw new ProtocolError(`${problem}: ${(err as Error).message}`);
    }
  }

  /**
   * The rest of the frame after the RAW mark, as a string of its own: a
   * slice would keep the whole chunk it came in alive (64 KiB for a ping),
   * a concatenation that is sliced is flattened into a fresh copy first.
   */
  private raw(frame: string): string {
    return `${frame.slice(this.pos + 1)} `.slice(0, -1);
  }

  /** The rest of the frame, as JSON. */
  private payload(frame: string): unknown {
    try {
      return JSON.parse(frame.slice(this.pos));
    } catch (err) {
      throw new ProtocolError(`unreadable frame: ${(err as Error).message}`);
    }
  }
}
