/**
 * Splits a stream of text into frames at a delimiter, without copying the
 * unfinished frame on every chunk (a large frame arrives in many chunks: it
 * is joined once, when its delimiter comes).
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';

/**
 * A frame splitter.
 *
 * @example
 * ```ts
 * const reader = new FrameReader('\f');
 * socket.on('data', (chunk) => reader.feed(chunk, (frame) => { handle(frame); return true; }));
 * ```
 */
export class FrameReader {
  private parts: string[] = [];
  private size = 0;

  /**
   * @param delimiter - the end of every frame: one character (node-ipc's
   *   `\f`), so that it can never be split between two chunks.
   */
  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1) {
      throw new ImproperlyConfiguredError(
        `a frame delimiter is one character, not ${JSON.stringify(delimiter)}`,
      );
    }
  }

  /** Characters of the unfinished frame received so far. */
  get pendingSize(): number {
    return this.size;
  }

  /**
   * The first `n` characters of the unfinished frame (fewer if it is shorter).
   * @param n - how many.
   * @returns the head.
   */
  head(n: number): string {
    let head = '';
    for (const part of this.parts) {
      head += part;
      if (head.length >= n) break;
    }
    return head.slice(0, n);
  }

  /**
   * Take a chunk; hand every frame it completes to `onFrame`.
   *
   * @param chunk - the text received.
   * @param onFrame - gets each complete frame; returns `false` to stop reading.
   * @returns `false` when `onFrame` stopped the reading.
   */
  feed(chunk: string, onFrame: (frame: string) => boolean): boolean {
    const { delimiter } = this;
    let start = 0;
    let end = chunk.indexOf(delimiter);
    while (end !== -1) {
      let frame = chunk.slice(start, end);
      if (this.parts.length > 0) {
        this.parts.push(frame);
        frame = this.parts.join('');
        this.parts = [];
        this.size = 0;
      }
      if (!onFrame(frame)) return false;
      start = end + delimiter.length;
      end = chunk.indexOf(delimiter, start);
    }
    if (start < chunk.length) {
      this.parts.push(start === 0 ? chunk : chunk.slice(start));
      this.size += chunk.length - start;
    }
    return true;
  }
}
