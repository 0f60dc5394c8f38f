/**
 * MultiDeferred: collect many values, some asynchronous, into one list or record.
 * @module
 */
import { ImproperlyConfiguredError, InvalidStateError, LockedError } from '../errors.js';
import { Deferred } from './Deferred.js';
import { makeAsync } from './makeAsync.js';

/** The shape a {@link MultiDeferred} collects into. */
export type MultiDeferredType = 'list' | 'dict';

/** What a {@link MultiDeferred} of type `K` fires with. */
export type MultiDeferredResult<K extends MultiDeferredType> = K extends 'dict'
  ? Record<string, unknown>
  : unknown[];

/** Options of a {@link MultiDeferred}. */
export interface MultiDeferredOptions<K extends MultiDeferredType = 'list'> {
  /** `list` (default) collects an array in append order; `dict` a record. */
  type?: K;
  /** Errback with the first error instead of collecting errors in place (default `false`). */
  fireOnFirstError?: boolean;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/**
 * Collects many values, some of them asynchronous (thenables, Deferreds),
 * into one list or record, delivered by the Deferred that {@link MultiDeferred.lock}
 * returns once every value has settled. Nested arrays and plain objects are
 * collected too, as nested MultiDeferreds with the same options. A list
 * keeps the append order, whatever order the values settle in.
 *
 * Errors: by default a failure (a rejected thenable, a failed Deferred, an
 * `Error` value) is collected as the value of its slot and the result still
 * fires with the whole list or record, as in pulsar. With
 * `fireOnFirstError: true` the Deferred errbacks with the first error to
 * settle (once locked), without waiting for the other values. Either way the
 * errors of the values count as handled.
 *
 * @example
 * ```ts
 * const md = new MultiDeferred();
 * md.append(1).append(fetchUser(id)).update([Promise.resolve(3)]);
 * const [one, user, three] = await md.lock();
 * ```
 */
export class MultiDeferred<K extends MultiDeferredType = 'list'> {
  private readonly _type: K;
  private readonly _fireOnFirstError: boolean;
  private readonly _deferred = new Deferred<MultiDeferredResult<K>>();
  private readonly _list: unknown[] = [];
  private readonly _dict: Record<string, unknown> = {};
  private readonly _slots = new Map<string | number, object>();
  private _pending = 0;
  private _locked = false;
  private _firstError: { reason: unknown } | undefined;

  /**
   * @param options - `type` (`list` or `dict`) and `fireOnFirstError`.
   * @throws ImproperlyConfiguredError for an unknown `type`.
   */
  constructor(options: MultiDeferredOptions<K> = {}) {
    const type = options.type ?? 'list';
    if (type !== 'list' && type !== 'dict') {
      throw new ImproperlyConfiguredError(`unknown MultiDeferred type ${String(type)}`);
    }
    this._type = type as K;
    this._fireOnFirstError = options.fireOnFirstError ?? false;
  }

  /** `list` or `dict`. */
  get type(): K {
    return this._type;
  }

  /** Whether {@link MultiDeferred.lock} was called: no value can be added any more. */
  get locked(): boolean {
    return this._locked;
  }

  /**
   * Add a value at the end of a list.
   *
   * @example
   * ```ts
   * md.append(Promise.resolve(1)).append(2);
   * ```
   * @param value - a plain value, an `Error`, a thenable, a Deferred, an array or a plain object.
   * @returns this MultiDeferred.
   * @throws InvalidStateError on a `dict`; LockedError once locked.
   */
  append(value: unknown): this {
    if (this._type !== 'list') throw new InvalidStateError('append() needs a list MultiDeferred');
    this._add(this._list.length, value);
    return this;
  }

  /**
   * Add many values: an iterable of values to a list; a record, or an
   * iterable of `[key, value]` pairs (such as a Map), to a dict.
   *
   * @example
   * ```ts
   * new MultiDeferred({ type: 'dict' }).update({ user: fetchUser(id), when: Date.now() });
   * ```
   * @param values - the values (or entries) to add.
   * @returns this MultiDeferred.
   * @throws InvalidStateError for values of the wrong shape; LockedError once locked.
   */
  update(values: Iterable<unknown> | Record<string, unknown>): this {
    if (this._locked) throw new LockedError('cannot add values to a locked MultiDeferred');
    if (this._type === 'list') {
      if (!isIterable(values))
        throw new InvalidStateError('a list MultiDeferred takes an iterable');
      for (const value of values) this._add(this._list.length, value);
      return this;
    }
    const entries = isIterable(values) ? values : Object.entries(values);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new InvalidStateError('a dict MultiDeferred takes a record or [key, value] pairs');
      }
      this._add(String(entry[0]), entry[1]);
    }
    return this;
  }

  /**
   * Stop accepting values; the returned Deferred fires with the collected
   * list or record once every value has settled (at once if none is pending).
   *
   * @example
   * ```ts
   * const record = await md.lock();
   * ```
   * @returns the Deferred of the collected list or record.
   * @throws LockedError if already locked.
   */
  lock(): Deferred<MultiDeferredResult<K>> {
    if (this._locked) throw new LockedError('MultiDeferred already locked');
    this._locked = true;
    this._finish();
    return this._deferred;
  }

  private _add(key: string | number, value: unknown): void {
    if (this._locked) throw new LockedError('cannot add values to a locked MultiDeferred');
    const token = {};
    this._slots.set(key, token);
    this._store(key, undefined);
    this._pending += 1;
    makeAsync(this._nest(value)).observe(
      (result) => this._settle(key, token, result, false),
      (reason) => this._settle(key, token, reason, true),
    );
  }

  private _nest(value: unknown): unknown {
    const fireOnFirstError = this._fireOnFirstError;
    if (Array.isArray(value)) return new MultiDeferred({ fireOnFirstError }).update(value).lock();
    if (isPlainRecord(value)) {
      return new MultiDeferred({ type: 'dict', fireOnFirstError }).update(value).lock();
    }
    return value;
  }

  private _store(key: string | number, value: unknown): void {
    if (typeof key === 'number') this._list[key] = value;
    else {
      Object.defineProperty(this._dict, key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }

  private _settle(key: string | number, token: object, value: unknown, failed: boolean): void {
    this._pending -= 1;
    if (this._slots.get(key) === token) {
      this._store(key, value);
      if (failed) this._firstError ??= { reason: value };
    }
    this._finish();
  }

  private _finish(): void {
    if (!this._locked || this._deferred.called) return;
    if (this._fireOnFirstError && this._firstError !== undefined) {
      this._deferred.errback(this._firstError.reason);
    } else if (this._pending === 0) {
      const result = this._type === 'list' ? this._list : this._dict;
      this._deferred.callback(result as MultiDeferredResult<K>);
    }
  }
}
