import { expect } from 'chai';
import { Deferred } from '../../lib/async/Deferred.js';
import { MultiDeferred } from '../../lib/async/MultiDeferred.js';
import { reportUnhandledErrors } from '../../lib/async/reportUnhandledErrors.js';
import {
  ImproperlyConfiguredError,
  InvalidStateError,
  LockedError,
  RxPulsarError,
} from '../../lib/errors.js';

/** A Promise with its resolve and reject functions. */
function pending<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('MultiDeferred', () => {
  afterEach(() => {
    reportUnhandledErrors();
  });

  describe('constructor', () => {
    it('should default to a list, not locked', () => {
      const md = new MultiDeferred();
      expect(md.type).to.equal('list');
      expect(md.locked).to.equal(false);
    });

    it('should make a dict', () => {
      expect(new MultiDeferred({ type: 'dict' }).type).to.equal('dict');
    });

    it('should throw ImproperlyConfiguredError for an unknown type', () => {
      expect(() => new MultiDeferred({ type: 'set' as 'list' })).to.throw(
        ImproperlyConfiguredError,
      );
    });
  });

  describe('append()', () => {
    it('should return the MultiDeferred itself', () => {
      const md = new MultiDeferred();
      expect(md.append(1)).to.equal(md);
    });

    it('should collect plain values in order', () => {
      const d = new MultiDeferred().append(1).append('two').append(null).lock();
      expect(d.called).to.equal(true);
      expect(d.result).to.deep.equal([1, 'two', null]);
    });

    it('should keep the append order whatever order values settle in', async () => {
      const a = new Deferred<string>();
      const b = pending<string>();
      const c = new Deferred<string>();
      const d = new MultiDeferred().append(a).append(b.promise).append(c).append('d').lock();
      c.callback('c');
      b.resolve('b');
      await b.promise;
      expect(d.called).to.equal(false);
      a.callback('a');
      expect(await d).to.deep.equal(['a', 'b', 'c', 'd']);
    });

    it('should throw InvalidStateError on a dict', () => {
      expect(() => new MultiDeferred({ type: 'dict' }).append(1)).to.throw(InvalidStateError);
    });

    it('should throw LockedError after lock()', () => {
      const md = new MultiDeferred();
      md.lock();
      expect(() => md.append(1)).to.throw(LockedError);
    });

    it('should leave the chain of an appended Deferred as it was', () => {
      const value = new Deferred<number>();
      new MultiDeferred().append(value).lock();
      value.callback(3);
      value.addCallback((n) => n + 1);
      expect(value.result).to.equal(4);
    });
  });

  describe('update()', () => {
    it('should append every value of an iterable to a list', () => {
      function* gen(): Generator<number> {
        yield 3;
        yield 4;
      }
      const md = new MultiDeferred()
        .update([1, 2])
        .update(gen())
        .update(new Set([5]));
      expect(md.lock().result).to.deep.equal([1, 2, 3, 4, 5]);
    });

    it('should set the keys of a record on a dict', async () => {
      const md = new MultiDeferred({ type: 'dict' });
      md.update({ a: 1, b: Promise.resolve(2) });
      expect(await md.lock()).to.deep.equal({ a: 1, b: 2 });
    });

    it('should set [key, value] pairs on a dict', () => {
      const md = new MultiDeferred({ type: 'dict' });
      md.update(new Map<string, unknown>([['x', 1]])).update([['y', 2]]);
      expect(md.lock().result).to.deep.equal({ x: 1, y: 2 });
    });

    it('should keep the last value of a key set twice', () => {
      const slow = new Deferred<string>();
      const md = new MultiDeferred({ type: 'dict' }).update({ k: slow }).update({ k: 'fast' });
      const d = md.lock();
      expect(d.called).to.equal(false);
      slow.callback('slow');
      expect(d.result).to.deep.equal({ k: 'fast' });
    });

    it('should store keys such as __proto__ as own keys', () => {
      const md = new MultiDeferred({ type: 'dict' }).update([['__proto__', 1]]);
      const record = md.lock().result as Record<string, unknown>;
      expect(Object.keys(record)).to.deep.equal(['__proto__']);
      expect(Object.getPrototypeOf(record)).to.equal(Object.prototype);
    });

    it('should throw InvalidStateError when a list is given a record', () => {
      expect(() => new MultiDeferred().update({ a: 1 })).to.throw(InvalidStateError);
    });

    it('should throw InvalidStateError when a dict is given something else than pairs', () => {
      expect(() => new MultiDeferred({ type: 'dict' }).update([1, 2])).to.throw(InvalidStateError);
    });

    it('should throw LockedError after lock()', () => {
      const md = new MultiDeferred({ type: 'dict' });
      md.lock();
      expect(() => md.update({ a: 1 })).to.throw(LockedError);
    });
  });

  describe('lock()', () => {
    it('should fire at once with [] when empty', () => {
      const d = new MultiDeferred().lock();
      expect(d).to.be.instanceOf(Deferred);
      expect(d.result).to.deep.equal([]);
    });

    it('should fire at once with {} for an empty dict', () => {
      expect(new MultiDeferred({ type: 'dict' }).lock().result).to.deep.equal({});
    });

    it('should set locked', () => {
      const md = new MultiDeferred();
      md.lock();
      expect(md.locked).to.equal(true);
    });

    it('should throw LockedError when called twice', () => {
      const md = new MultiDeferred();
      md.lock();
      expect(() => md.lock()).to.throw(LockedError);
    });

    it('should not fire before lock(), even with every value settled', () => {
      const md = new MultiDeferred().append(1);
      const value = new Deferred<number>();
      md.append(value);
      value.callback(2);
      const d = md.lock();
      expect(d.result).to.deep.equal([1, 2]);
    });

    it('should wait for every pending value', () => {
      const a = new Deferred<number>();
      const b = new Deferred<number>();
      const d = new MultiDeferred().update([a, b]).lock();
      a.callback(1);
      expect(d.called).to.equal(false);
      b.callback(2);
      expect(d.result).to.deep.equal([1, 2]);
    });

    it('should collect nested arrays and plain objects', async () => {
      const md = new MultiDeferred({ type: 'dict' }).update({
        list: [1, Promise.resolve(2), [3, { deep: Promise.resolve(4) }]],
        record: { a: Promise.resolve('a') },
      });
      expect(await md.lock()).to.deep.equal({
        list: [1, 2, [3, { deep: 4 }]],
        record: { a: 'a' },
      });
    });

    it('should keep other objects as they are', () => {
      const date = new Date(0);
      const map = new Map([[1, 2]]);
      const result = new MultiDeferred().update([date, map]).lock().result as unknown[];
      expect(result[0]).to.equal(date);
      expect(result[1]).to.equal(map);
    });
  });

  describe('errors', () => {
    it('should collect failures in place by default', async () => {
      const rejected = new Error('rejected');
      const failed = new Error('failed');
      const plain = new Error('plain');
      const d = new Deferred<number>();
      d.errback(failed);
      const md = new MultiDeferred().update([1, Promise.reject(rejected), d, plain]);
      expect(await md.lock()).to.deep.equal([1, rejected, failed, plain]);
      expect(reportUnhandledErrors()).to.equal(0);
    });

    it('should errback with the first error to settle when fireOnFirstError is set', async () => {
      const first = new Error('first');
      const second = new Deferred<number>();
      const never = new Deferred<number>();
      const md = new MultiDeferred({ fireOnFirstError: true });
      const d = md.update([never, second, Promise.reject(first)]).lock();
      second.errback(new Error('second'));
      let caught: unknown;
      await d.then(undefined, (e: unknown) => {
        caught = e;
      });
      expect((caught as Error).message).to.equal('second');
      await Promise.resolve();
      expect(reportUnhandledErrors()).to.equal(0);
      never.callback(1);
    });

    it('should errback at lock() with an error that came before', () => {
      const err = new Error('early');
      const md = new MultiDeferred({ fireOnFirstError: true }).append(err);
      const d = md.lock();
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should errback with an error from a nested collection', () => {
      const err = new RxPulsarError('nested');
      const md = new MultiDeferred({ type: 'dict', fireOnFirstError: true });
      const d = md.update({ outer: [1, { inner: err }] }).lock();
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should fire with the list when fireOnFirstError is set and nothing fails', () => {
      const d = new MultiDeferred({ fireOnFirstError: true }).update([1, 2]).lock();
      expect(d.result).to.deep.equal([1, 2]);
    });
  });
});
