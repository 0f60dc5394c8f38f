import { Buffer } from 'node:buffer';
import { types } from 'node:util';
import { toBase64, viewName } from './bytes.js';
import { CodecFailure } from './CodecFailure.js';
import { MAX_DEPTH, TAG } from './constants.js';
import { encodeError } from './encodeError.js';

const UNDEFINED = Object.freeze({ [TAG]: 'undefined' });
const NAN = Object.freeze({ [TAG]: 'NaN' });
const INFINITY = Object.freeze({ [TAG]: 'Infinity' });
const NEG_INFINITY = Object.freeze({ [TAG]: '-Infinity' });
const NEG_ZERO = Object.freeze({ [TAG]: '-0' });
const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * Encodes a value an actor sends into a JSON-safe tree (only `null`,
 * booleans, finite numbers, strings, arrays and plain objects), such that
 * `decode(JSON.parse(JSON.stringify(encode(v))))` deep-equals `v`.
 *
 * Values JSON cannot hold become tagged objects: `{ "$rxp": "undefined" }`,
 * `{ "$rxp": "date", "v": <epoch ms> }`, Map, Set, BigInt, Buffer, typed
 * arrays, ArrayBuffer, NaN, ±Infinity, -0, RegExp, errors, and functions (by
 * source). A plain object that has a `$rxp` key of its own is escaped as
 * `{ "$rxp": "obj", "v": … }`. Object properties set to `undefined` are kept.
 *
 * Copy-on-write: a subtree that needs no change is returned as the very same
 * reference, so a plain JSON payload costs one walk and no allocation. Shared
 * references are encoded once per place they appear. Array holes become
 * `undefined`; extra properties on arrays, symbol keys, a RegExp's
 * `lastIndex` and a function's own properties are not carried (as with
 * JSON). Functions travel by source (`fn.toString()`), so they must be
 * self-contained: closures and imports are not carried.
 *
 * @example
 * ```ts
 * const wire = JSON.stringify(encode({ at: new Date(0), tags: new Set(['a']) }));
 * // '{"at":{"$rxp":"date","v":0},"tags":{"$rxp":"set","v":["a"]}}'
 * ```
 * @param value - any value an actor may send.
 * @returns A JSON-safe value; `value` itself when it already is one.
 * @throws EncodingError naming the path of the first value that cannot travel:
 *   a symbol, a WeakMap/WeakSet/WeakRef, a Promise or thenable, a native or
 *   bound function, an instance of a class other than the supported
 *   built-ins, a circular reference, or nesting past `MAX_DEPTH` (1000).
 */
export function encode(value: unknown, options?: EncodeOptions): unknown {
  const outer = transfer;
  transfer = options?.transfer;
  try {
    return encodeValue(value, 0);
  } catch (err) {
    throw err instanceof CodecFailure ? err.toError('encode') : err;
  } finally {
    transfer = outer;
  }
}

/**
 * Options of {@link encode}.
 *
 * @example
 * ```ts
 * const transfer: ArrayBuffer[] = [];
 * port.postMessage(encode(value, { transfer }), transfer);
 * ```
 */
export interface EncodeOptions {
  /**
   * Binary mode, for a structured-clone transport (a MessagePort): the
   * bytes of Buffers, typed arrays and ArrayBuffers are copied once into
   * fresh ArrayBuffers (the `v` of their tags, instead of base64), which are
   * added here to be transferred. Such a tree is not JSON: `binaryAsText()`
   * turns it into one.
   */
  transfer?: ArrayBuffer[];
}

/** The transfer list of the current binary-mode `encode()`, if any. */
let transfer: ArrayBuffer[] | undefined;

/** The bytes a view sees (or an ArrayBuffer), in base64 or, in binary mode, a fresh ArrayBuffer. */
function bytesOf(view: ArrayBufferView | ArrayBuffer): string | ArrayBuffer {
  if (transfer === undefined) return toBase64(view);
  const out = new ArrayBuffer(view.byteLength);
  const source =
    view instanceof ArrayBuffer
      ? new Uint8Array(view)
      : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  new Uint8Array(out).set(source);
  transfer.push(out);
  return out;
}

function encodeValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (value === 0) return Object.is(value, -0) ? NEG_ZERO : value;
      if (Number.isFinite(value)) return value;
      return Number.isNaN(value) ? NAN : value > 0 ? INFINITY : NEG_INFINITY;
    case 'object':
      return value === null ? null : encodeObject(value, depth);
    case 'undefined':
      return UNDEFINED;
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'function': {
      const src = Function.prototype.toString.call(value);
      if (NATIVE.test(src)) {
        throw new CodecFailure(
          (at) =>
            `cannot encode a native or bound function at ${at}: functions travel by source, ` +
            'so pass a self-contained function (or a module path) instead',
        );
      }
      return { [TAG]: 'fn', src };
    }
    default:
      throw new CodecFailure((at) => `cannot encode a Symbol at ${at}`);
  }
}

function encodeObject(obj: object, depth: number): unknown {
  if (Array.isArray(obj)) return encodeArray(obj, depth);
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) {
    return encodePlain(obj as Record<string, unknown>, depth);
  }
  if (proto === Date.prototype) {
    const time = (obj as Date).getTime();
    return { [TAG]: 'date', v: Number.isNaN(time) ? null : time };
  }
  if (proto === Map.prototype) return encodeMap(obj as Map<unknown, unknown>, depth);
  if (proto === Set.prototype) return encodeSet(obj as Set<unknown>, depth);
  if (obj instanceof Error || types.isNativeError(obj))
    return { [TAG]: 'error', ...encodeError(obj, encodeValue, depth) };
  if (proto === RegExp.prototype) {
    return { [TAG]: 'regexp', src: (obj as RegExp).source, flags: (obj as RegExp).flags };
  }
  if (Buffer.isBuffer(obj)) {
    return { [TAG]: 'buffer', v: transfer === undefined ? obj.toString('base64') : bytesOf(obj) };
  }
  if (ArrayBuffer.isView(obj)) {
    const type = viewName(proto);
    if (type !== undefined) return { [TAG]: 'typed', type, v: bytesOf(obj) };
  }
  if (proto === ArrayBuffer.prototype) {
    return { [TAG]: 'arraybuffer', v: bytesOf(obj as ArrayBuffer) };
  }
  const builtin = otherRealm(obj, proto);
  if (builtin !== undefined) return encodeObject(builtin, depth);
  throw refuse(obj, proto);
}

/**
 * A plain object, `Date`, `Map`, `Set` or `RegExp` made in another realm (a
 * `vm` context: the shell's, a test's) travels as this realm's: its
 * prototype is that realm's, the one of a built-in (a native constructor of
 * the same name), not a class of its own.
 *
 * @returns the value of this realm to encode in its place, or undefined.
 */
function otherRealm(obj: object, proto: unknown): object | undefined {
  if (typeof proto !== 'object' || proto === null) return undefined;
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || !NATIVE.test(Function.prototype.toString.call(ctor))) {
    return undefined;
  }
  switch (ctor.name) {
    case 'Object':
      return Object.getPrototypeOf(proto) === null ? { ...obj } : undefined;
    case 'Date':
      return types.isDate(obj) ? new Date(obj.getTime()) : undefined;
    case 'Map':
      return types.isMap(obj) ? new Map(obj) : undefined;
    case 'Set':
      return types.isSet(obj) ? new Set(obj) : undefined;
    case 'RegExp':
      return types.isRegExp(obj) ? new RegExp(obj) : undefined;
    default:
      return undefined;
  }
}

function encodeArray(arr: unknown[], depth: number): unknown[] {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  let out: unknown[] | undefined;
  const length = arr.length;
  let i = 0;
  try {
    for (; i < length; i++) {
      const item = arr[i];
      if (isPlainScalar(item)) continue;
      const enc = encodeValue(item, depth + 1);
      if (enc === item) continue;
      out ??= arr.slice();
      out[i] = enc;
    }
  } catch (err) {
    throw CodecFailure.at(err, i, arr);
  }
  return out ?? arr;
}

function encodePlain(obj: Record<string, unknown>, depth: number): unknown {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  let out: Record<string, unknown> | undefined;
  let key = '';
  let special = false;
  try {
    for (key in obj) {
      const item = obj[key];
      if (key === TAG || key === 'then') special = true;
      if (isPlainScalar(item)) continue;
      const enc = encodeValue(item, depth + 1);
      if (enc === item) continue;
      out ??= { ...obj };
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: enc,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = enc;
      }
    }
  } catch (err) {
    throw CodecFailure.at(err, key, obj);
  }
  if (!special) return out ?? obj;
  if (typeof obj['then'] === 'function') {
    throw refuseThenable('a thenable (an object with a then() method)');
  }
  return Object.hasOwn(obj, TAG) ? { [TAG]: 'obj', v: out ?? obj } : (out ?? obj);
}

/** The fast path of the walk: a string or a finite, non-zero number stays as it is. */
function isPlainScalar(item: unknown): boolean {
  return typeof item === 'string' || (typeof item === 'number' && item !== 0 && item - item === 0);
}

function encodeMap(map: Map<unknown, unknown>, depth: number): unknown {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const entries: unknown[] = [];
  let i = 0;
  let key: unknown;
  let atKey = true;
  try {
    for (const [k, v] of map) {
      key = k;
      atKey = true;
      const encKey = encodeValue(k, depth + 1);
      atKey = false;
      entries.push([encKey, encodeValue(v, depth + 1)]);
      i++;
    }
  } catch (err) {
    throw CodecFailure.at(err, atKey ? `.keys()[${i}]` : CodecFailure.mapValue(key, i), map, true);
  }
  return { [TAG]: 'map', v: entries };
}

function encodeSet(set: Set<unknown>, depth: number): unknown {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const items: unknown[] = [];
  try {
    for (const item of set) items.push(encodeValue(item, depth + 1));
  } catch (err) {
    throw CodecFailure.at(err, `.values()[${items.length}]`, set, true);
  }
  return { [TAG]: 'set', v: items };
}

function refuse(obj: object, proto: unknown): CodecFailure {
  if (obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef) {
    const kind =
      obj instanceof WeakMap ? 'WeakMap' : obj instanceof WeakSet ? 'WeakSet' : 'WeakRef';
    return new CodecFailure(
      (at) => `cannot encode a ${kind} at ${at}: its contents cannot be read`,
    );
  }
  if (obj instanceof Promise) return refuseThenable('a Promise');
  if (typeof (obj as { then?: unknown }).then === 'function') {
    return refuseThenable('a thenable (an object with a then() method)');
  }
  if (obj instanceof SharedArrayBuffer) {
    return new CodecFailure(
      (at) =>
        `cannot encode a SharedArrayBuffer at ${at}: memory cannot be shared with another ` +
        'process; copy it into an ArrayBuffer or a Buffer',
    );
  }
  const ctor = (proto as { constructor?: unknown }).constructor;
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : '(anonymous)';
  return new CodecFailure(
    (at) =>
      `cannot encode an instance of class ${name} at ${at}: only plain objects, arrays and the ` +
      'supported built-ins travel; convert it to a plain object first (e.g. { ...value })',
  );
}

function refuseThenable(what: string): CodecFailure {
  return new CodecFailure(
    (at) => `cannot encode ${what} at ${at}: await it and send the result instead`,
  );
}
