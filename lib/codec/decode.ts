import { Buffer } from 'node:buffer';
import { fromBase64, VIEWS } from './bytes.js';
import { CodecFailure } from './CodecFailure.js';
import { compileFunction } from './compileFunction.js';
import { MAX_DEPTH, TAG } from './constants.js';
import { decodeError } from './decodeError.js';

/**
 * Options of {@link decode}.
 *
 * @example
 * ```ts
 * decode(JSON.parse(untrusted), { functions: false });
 * ```
 */
export interface DecodeOptions {
  /**
   * Rebuild functions from their source (default `true`). Rebuilding runs
   * code, so set it to `false` for input you do not trust: a function tag then
   * raises an `EncodingError`.
   */
  functions?: boolean;
}

/**
 * Decodes what {@link encode} produced (after it went through
 * `JSON.stringify`/`JSON.parse`, or a structured clone in binary mode) back
 * into the original value.
 *
 * Works in place: `json` is taken as owned (freshly parsed), its arrays and
 * objects are reused and only tagged objects are replaced, so a plain JSON
 * payload costs one walk and no allocation.
 *
 * @example
 * ```ts
 * const value = decode(JSON.parse('{"at":{"$rxp":"date","v":0}}'));
 * // → { at: new Date(0) }
 * ```
 * @param json - a JSON value from `encode`; it may be modified.
 * @param options - `functions: false` refuses function tags.
 * @returns The decoded value.
 * @throws EncodingError naming the path of a malformed or unknown tag, of a
 *   function when `functions` is false, or of nesting past `MAX_DEPTH` (1000).
 */
export function decode(json: unknown, options?: DecodeOptions): unknown {
  const functions = options?.functions ?? true;
  try {
    return decodeValue(json, 0, functions);
  } catch (err) {
    throw err instanceof CodecFailure ? err.toError('decode') : err;
  }
}

function decodeValue(value: unknown, depth: number, functions: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return decodeArray(value, depth, functions);
  const tag = (value as Record<string, unknown>)[TAG];
  if (tag === undefined) return decodeObject(value as Record<string, unknown>, depth, functions);
  return decodeTag(value as Record<string, unknown>, tag, depth, functions);
}

function decodeArray(arr: unknown[], depth: number, functions: boolean): unknown[] {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const length = arr.length;
  let i = 0;
  try {
    for (; i < length; i++) {
      const item = arr[i];
      if (typeof item === 'object' && item !== null) {
        const dec = decodeValue(item, depth + 1, functions);
        if (dec !== item) arr[i] = dec;
      }
    }
  } catch (err) {
    throw CodecFailure.at(err, i, arr);
  }
  return arr;
}

function decodeObject(
  obj: Record<string, unknown>,
  depth: number,
  functions: boolean,
): Record<string, unknown> {
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  let key = '';
  try {
    for (key in obj) {
      const item = obj[key];
      if (typeof item === 'object' && item !== null) {
        const dec = decodeValue(item, depth + 1, functions);
        if (dec === item) continue;
        if (key === '__proto__') {
          Object.defineProperty(obj, key, {
            value: dec,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          obj[key] = dec;
        }
      }
    }
  } catch (err) {
    throw CodecFailure.at(err, key, obj);
  }
  return obj;
}

function decodeTag(
  tagged: Record<string, unknown>,
  tag: unknown,
  depth: number,
  functions: boolean,
): unknown {
  const v = tagged['v'];
  switch (tag) {
    case 'undefined':
      return undefined;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    case 'bigint':
      if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw malformed(tag, 'v is not an integer');
      return BigInt(v);
    case 'date':
      if (v !== null && typeof v !== 'number') throw malformed(tag, 'v is not a number');
      return new Date(v ?? NaN);
    case 'regexp':
      return decodeRegExp(tagged['src'], tagged['flags']);
    case 'buffer':
      if (v instanceof ArrayBuffer) return Buffer.from(v); // binary mode: no copy
      if (typeof v !== 'string') throw malformed(tag, 'v is not a base64 string');
      return Buffer.from(v, 'base64');
    case 'arraybuffer':
      if (v instanceof ArrayBuffer) return v;
      if (typeof v !== 'string') throw malformed(tag, 'v is not a base64 string');
      return fromBase64(v);
    case 'typed':
      return decodeView(tagged['type'], v);
    case 'map':
      return decodeMap(v, depth, functions);
    case 'set':
      return decodeSet(v, depth, functions);
    case 'fn':
      return decodeFunction(tagged['src'], functions);
    case 'error':
      return decodeError(tagged, (child, d) => decodeValue(child, d, functions), depth);
    case 'obj':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw malformed(tag, 'v is not an object');
      }
      return decodeObject(v as Record<string, unknown>, depth, functions);
    default:
      throw new CodecFailure(
        (at) => `cannot decode the unknown tag ${JSON.stringify(tag)} at ${at}`,
      );
  }
}

function decodeRegExp(src: unknown, flags: unknown): RegExp {
  if (typeof src !== 'string' || typeof flags !== 'string') {
    throw malformed('regexp', 'src and flags must be strings');
  }
  try {
    return new RegExp(src, flags);
  } catch (err) {
    throw malformed('regexp', (err as Error).message);
  }
}

function decodeView(type: unknown, v: unknown): ArrayBufferView {
  const View = typeof type === 'string' ? VIEWS.get(type) : undefined;
  if (View === undefined) throw malformed('typed', `unknown type ${JSON.stringify(type)}`);
  if (typeof v !== 'string' && !(v instanceof ArrayBuffer)) {
    throw malformed('typed', 'v is not a base64 string');
  }
  const bytes = typeof v === 'string' ? fromBase64(v) : v;
  const size = (View as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  if (bytes.byteLength % size !== 0) {
    throw malformed('typed', `${bytes.byteLength} bytes do not make whole ${String(type)} items`);
  }
  return new View(bytes);
}

function decodeMap(v: unknown, depth: number, functions: boolean): Map<unknown, unknown> {
  if (!Array.isArray(v)) throw malformed('map', 'v is not an array of entries');
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const map = new Map<unknown, unknown>();
  let key: unknown;
  let atKey = true;
  try {
    for (const entry of v) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw malformed('map', 'an entry is not a [key, value] pair');
      }
      atKey = true;
      key = decodeValue(entry[0], depth + 1, functions);
      atKey = false;
      map.set(key, decodeValue(entry[1], depth + 1, functions));
    }
  } catch (err) {
    const i = map.size;
    throw CodecFailure.at(err, atKey ? `.keys()[${i}]` : CodecFailure.mapValue(key, i), map, true);
  }
  return map;
}

function decodeSet(v: unknown, depth: number, functions: boolean): Set<unknown> {
  if (!Array.isArray(v)) throw malformed('set', 'v is not an array');
  if (depth >= MAX_DEPTH) throw new CodecFailure(() => '', true);
  const set = new Set<unknown>();
  let i = 0;
  try {
    for (; i < v.length; i++) set.add(decodeValue(v[i], depth + 1, functions));
  } catch (err) {
    throw CodecFailure.at(err, `.values()[${i}]`, set, true);
  }
  return set;
}

function decodeFunction(src: unknown, functions: boolean): unknown {
  if (!functions) {
    throw new CodecFailure(
      (at) =>
        `cannot decode the function at ${at}: decoding functions is disabled (functions: false)`,
    );
  }
  if (typeof src !== 'string') throw malformed('fn', 'src is not a string');
  return compileFunction(src);
}

function malformed(tag: string, why: string): CodecFailure {
  return new CodecFailure((at) => `cannot decode the ${tag} tag at ${at}: ${why}`);
}
