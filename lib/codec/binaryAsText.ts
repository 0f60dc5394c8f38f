/**
 * Turning a tree encoded in binary mode (see `EncodeOptions.transfer`) into
 * a JSON one, for the envelopes that leave by a socket after all (a thread
 * actor's request to a process actor, forwarded by the arbiter).
 * @module
 */
import { toBase64 } from './bytes.js';
import { TAG } from './constants.js';

/**
 * Replace, in place, the ArrayBuffers of binary-mode tags by their base64.
 *
 * @param tree - what `encode(value, { transfer })` made (owned: it is changed).
 * @returns the same tree, now JSON-safe (what `encode(value)` makes).
 * @example
 * ```ts
 * binaryAsText(encode(Buffer.from('hi'), { transfer: [] })); // { $rxp: 'buffer', v: 'aGk=' }
 * ```
 */
export function binaryAsText(tree: unknown): unknown {
  if (typeof tree !== 'object' || tree === null) return tree;
  if (Array.isArray(tree)) {
    for (const item of tree) binaryAsText(item);
    return tree;
  }
  const node = tree as Record<string, unknown>;
  for (const key in node) {
    const item = node[key];
    if (item instanceof ArrayBuffer && key === 'v' && TAG in node) node[key] = toBase64(item);
    else binaryAsText(item);
  }
  return tree;
}
