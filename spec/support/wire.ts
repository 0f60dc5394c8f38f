/**
 * The socket wire format in specs: frames as a `WireWriter` writes them,
 * and a reader of what an Outbox or a socket wrote.
 * @module
 */
import { FrameReader } from '../../lib/transport/FrameReader.js';
import { DELIMITER, type Envelope } from '../../lib/transport/protocol.js';
import { WireReader } from '../../lib/transport/WireReader.js';
import { WireWriter } from '../../lib/transport/WireWriter.js';

/**
 * The frames of some envelopes on a fresh connection (slots defined anew).
 *
 * @param envelopes - what to write.
 * @returns the text, every frame ended by the delimiter.
 * @example
 * ```ts
 * socket.write(frames(request, reply));
 * ```
 */
export function frames(...envelopes: Envelope[]): string {
  const writer = new WireWriter();
  return envelopes.map((env) => writer.encode(env)).join('');
}

/**
 * Reads the writes of one connection, in order (its string table carries
 * over from one write to the next).
 *
 * @returns a function of a write (complete frames) to the envelopes in it.
 * @example
 * ```ts
 * const read = wireReader();
 * read(text); // [envelope, …]
 * ```
 */
export function wireReader(): (text: string) => Envelope[] {
  const splitter = new FrameReader(DELIMITER);
  const wire = new WireReader();
  return (text) => {
    const envelopes: Envelope[] = [];
    splitter.feed(text, (frame) => {
      const read = wire.read(frame);
      if (typeof read === 'object') envelopes.push(read);
      return true;
    });
    return envelopes;
  };
}
