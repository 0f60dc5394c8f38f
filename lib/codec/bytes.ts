import { Buffer } from 'node:buffer';

/** A constructor of a typed array or of a DataView, rebuilt over an ArrayBuffer. */
type ViewConstructor = new (buffer: ArrayBuffer) => ArrayBufferView;

/**
 * Internal: the binary views {@link encode} carries, by name. Bytes travel in
 * base64, in the byte order of the sending host (little-endian on every
 * platform Node supports in practice).
 *
 * @example
 * ```ts
 * VIEWS.get('Float64Array'); // → Float64Array
 * ```
 */
export const VIEWS: ReadonlyMap<string, ViewConstructor> = new Map<string, ViewConstructor>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
  ['DataView', DataView],
]);

/** The name of a view by its exact prototype (subclasses are not carried). */
const NAMES = new Map<unknown, string>(
  [...VIEWS].map(([name, ctor]) => [ctor.prototype as unknown, name]),
);

/**
 * The name of a view's class, when {@link encode} carries it.
 *
 * @example
 * ```ts
 * viewName(Object.getPrototypeOf(new Int16Array(1))); // → 'Int16Array'
 * ```
 * @param proto - the prototype of an `ArrayBufferView`.
 * @returns Its name in {@link VIEWS}, or `undefined` for anything else.
 */
export function viewName(proto: unknown): string | undefined {
  return NAMES.get(proto);
}

/**
 * The bytes of a view (only the part it sees) or of an ArrayBuffer, in base64.
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([1, 2])); // → 'AQI='
 * ```
 * @param view - bytes seen through any view (no copy is made).
 * @returns Them in base64.
 */
export function toBase64(view: ArrayBufferView | ArrayBuffer): string {
  if (view instanceof ArrayBuffer) return Buffer.from(view).toString('base64');
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

/**
 * Bytes from base64, in an ArrayBuffer of their own.
 *
 * @example
 * ```ts
 * new Float64Array(fromBase64(wire.v)); // safe: the buffer starts at offset 0
 * ```
 * @param base64 - bytes in base64.
 * @returns A fresh ArrayBuffer of their own (aligned, unlike a pooled Buffer's).
 */
export function fromBase64(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}
