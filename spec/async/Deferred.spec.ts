import { expect } from 'chai';
import sinon from 'sinon';
import { Deferred } from '../../lib/async/Deferred.js';
import { reportUnhandledErrors } from '../../lib/async/reportUnhandledErrors.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import {
  AlreadyCalledError,
  CancelledError,
  InvalidStateError,
  NotCalledError,
} from '../../lib/errors.js';

const N = 10_000;

/** The result of a fired Deferred, whichever path it is on. */
function outcome(d: Deferred<unknown>): unknown {
  return d.result;
}

describe('Deferred', () => {
  // Failures the tests leave on purpose must not linger for the next files.
  afterEach(() => {
    reportUnhandledErrors();
  });

  describe('constructor', () => {
    it('should start not called, not running, not paused', () => {
      const d = new Deferred();
      expect(d.called).to.equal(false);
      expect(d.running).to.equal(false);
      expect(d.paused).to.equal(0);
    });

    it('should be a PromiseLike', () => {
      expect(typeof new Deferred().then).to.equal('function');
    });
  });

  describe('result', () => {
    it('should throw NotCalledError before firing', () => {
      expect(() => new Deferred().result).to.throw(NotCalledError);
    });

    it('should give the current result of the chain', () => {
      const d = new Deferred<number>();
      d.callback(1);
      expect(d.result).to.equal(1);
      d.addCallback((n) => n + 1);
      expect(d.result).to.equal(2);
    });
  });

  describe('callback()', () => {
    it('should fire the chain with the value', () => {
      const d = new Deferred<string>();
      const cb = sinon.spy();
      d.addCallback(cb);
      d.callback('hi');
      expect(d.called).to.equal(true);
      expect(cb.calledOnceWithExactly('hi')).to.equal(true);
    });

    it('should throw AlreadyCalledError when called a second time', () => {
      const d = new Deferred<number>();
      d.callback(1);
      expect(() => d.callback(2)).to.throw(AlreadyCalledError);
      expect(() => d.errback(new Error('x'))).to.throw(AlreadyCalledError);
      expect(d.result).to.equal(1);
    });

    it('should take the error path when given an Error', () => {
      const err = new Error('boom');
      const d = new Deferred<unknown>();
      const cb = sinon.spy();
      const eb = sinon.spy((_: unknown) => 'recovered');
      d.addCallback(cb).addErrback(eb);
      d.callback(err);
      expect(cb.called).to.equal(false);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal('recovered');
    });

    it('should pause on a thenable value until it settles', async () => {
      const d = new Deferred<number>();
      d.callback(Promise.resolve(5));
      expect(d.called).to.equal(true);
      expect(d.paused).to.equal(1);
      expect(await d).to.equal(5);
      expect(d.paused).to.equal(0);
    });
  });

  describe('errback()', () => {
    it('should fire the error path', () => {
      const err = new Error('boom');
      const d = new Deferred();
      const eb = sinon.spy((e: unknown) => e);
      d.addErrback(eb);
      d.errback(err);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal(err);
    });

    it('should accept a reason that is not an Error', () => {
      const d = new Deferred();
      const eb = sinon.spy((_: unknown) => 'ok');
      d.addErrback(eb);
      d.errback('just a string');
      expect(eb.calledOnceWithExactly('just a string')).to.equal(true);
    });

    it('should default the reason to an Error', () => {
      const d = new Deferred();
      d.errback();
      expect(d.result).to.be.instanceOf(Error);
    });

    it('should throw AlreadyCalledError when called a second time', () => {
      const d = new Deferred();
      d.errback(new Error('one'));
      expect(() => d.errback(new Error('two'))).to.throw(AlreadyCalledError);
      expect(() => d.callback(1)).to.throw(AlreadyCalledError);
    });
  });

  describe('addCallback()', () => {
    it('should return the Deferred itself', () => {
      const d = new Deferred();
      expect(d.addCallback(() => 1)).to.equal(d);
    });

    it('should pass each result to the next callback', () => {
      const d = new Deferred<number>();
      const seen: unknown[] = [];
      d.addCallback((n) => {
        seen.push(n);
        return n * 2;
      })
        .addCallback((n) => {
          seen.push(n);
          return `${n}!`;
        })
        .addCallback((s) => {
          seen.push(s);
        });
      d.callback(3);
      expect(seen).to.deep.equal([3, 6, '6!']);
      expect(d.result).to.equal(undefined);
    });

    it('should run at once on the current result when added after firing', () => {
      const d = new Deferred<number>();
      d.callback(1);
      const cb = sinon.spy((n: number) => n + 1);
      d.addCallback(cb);
      expect(cb.calledOnceWithExactly(1)).to.equal(true);
      expect(d.result).to.equal(2);
    });

    it('should switch to the error path when a callback throws', () => {
      const err = new Error('thrown');
      const d = new Deferred<number>();
      const skipped = sinon.spy();
      const eb = sinon.spy((_: unknown) => 0);
      d.addCallback(() => {
        throw err;
      })
        .addCallback(skipped)
        .addErrback(eb);
      d.callback(1);
      expect(skipped.called).to.equal(false);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal(0);
    });

    it('should switch to the error path when a callback returns an Error', () => {
      const err = new Error('returned');
      const d = new Deferred<number>();
      const eb = sinon.spy((_: unknown) => 'ok');
      d.addCallback(() => err).addErrback(eb);
      d.callback(1);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
    });

    it('should call the optional errback on the error path only', () => {
      const cb = sinon.spy();
      const eb = sinon.spy((_: unknown) => 'handled');
      const d = new Deferred();
      d.addCallback(cb, eb);
      d.errback(new Error('x'));
      expect(cb.called).to.equal(false);
      expect(eb.calledOnce).to.equal(true);
      expect(d.result).to.equal('handled');
    });

    it('should not call the callbacks on the error path', () => {
      const cb = sinon.spy();
      const d = new Deferred();
      d.addCallback(cb).addErrback(() => null);
      d.errback(new Error('x'));
      expect(cb.called).to.equal(false);
    });
  });

  describe('addCallbacks()', () => {
    it('should pass the result on where a function is missing', () => {
      const d = new Deferred<number>();
      d.addCallbacks(null, () => 0).addCallbacks((n) => n + 1);
      d.callback(1);
      expect(d.result).to.equal(2);
    });
  });

  describe('addErrback()', () => {
    it('should recover the chain when it returns a value', () => {
      const cb = sinon.spy();
      const d = new Deferred<string>();
      d.addErrback(() => 'fallback').addCallback(cb);
      d.errback(new Error('x'));
      expect(cb.calledOnceWithExactly('fallback')).to.equal(true);
    });

    it('should keep the error path when it throws', () => {
      const second = new Error('second');
      const eb = sinon.spy((_: unknown) => 'end');
      const d = new Deferred();
      d.addErrback(() => {
        throw second;
      }).addErrback(eb);
      d.errback(new Error('first'));
      expect(eb.calledOnceWithExactly(second)).to.equal(true);
    });

    it('should keep the error path when it returns an Error', () => {
      const err = new Error('x');
      const cb = sinon.spy();
      const d = new Deferred();
      d.addErrback((e) => e).addCallback(cb);
      d.errback(err);
      expect(cb.called).to.equal(false);
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should not be called on the success path', () => {
      const eb = sinon.spy();
      const d = new Deferred<number>();
      d.addErrback(eb);
      d.callback(1);
      expect(eb.called).to.equal(false);
      expect(d.result).to.equal(1);
    });
  });

  describe('addBoth()', () => {
    it('should be called on the success path', () => {
      const fn = sinon.spy((r: unknown) => r);
      new Deferred().addBoth(fn).callback(1);
      expect(fn.calledOnceWithExactly(1)).to.equal(true);
    });

    it('should be called on the error path, and may recover', () => {
      const err = new Error('x');
      const fn = sinon.spy((_: unknown) => 'done');
      const d = new Deferred();
      d.addBoth(fn);
      d.errback(err);
      expect(fn.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal('done');
    });
  });

  describe('observe()', () => {
    it('should see the result without changing it', () => {
      const seen = sinon.spy();
      const d = new Deferred<number>();
      d.addCallback((n) => n + 1)
        .observe(seen)
        .addCallback((n) => n * 10);
      d.callback(1);
      expect(seen.calledOnceWithExactly(2)).to.equal(true);
      expect(d.result).to.equal(20);
    });

    it('should see a failure and leave it on the error path', () => {
      const err = new Error('x');
      const onFailure = sinon.spy();
      const d = new Deferred();
      d.observe(() => undefined, onFailure);
      d.errback(err);
      expect(onFailure.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal(err);
    });

    it('should log a watcher that throws and go on', () => {
      const logs = captureLogs('error');
      try {
        const d = new Deferred<number>();
        d.observe(() => {
          throw new Error('bad watcher');
        }).addCallback((n) => n + 1);
        d.callback(1);
        expect(d.result).to.equal(2);
      } finally {
        logs.restore();
      }
      expect(logs.records.some((r) => r.message.includes('bad watcher'))).to.equal(true);
    });
  });

  describe('running', () => {
    it('should be true only while a callback executes', () => {
      const d = new Deferred();
      const states: boolean[] = [];
      d.addCallback(() => states.push(d.running));
      d.callback(null);
      expect(states).to.deep.equal([true]);
      expect(d.running).to.equal(false);
    });
  });

  describe('pausing', () => {
    it('should pause while a callback returns a Deferred not fired yet', () => {
      const inner = new Deferred<number>();
      const after = sinon.spy();
      const d = new Deferred<number>();
      d.addCallback(() => inner).addCallback(after);
      d.callback(1);
      expect(d.paused).to.equal(1);
      expect(d.result).to.equal(inner);
      expect(after.called).to.equal(false);
      inner.callback(7);
      expect(d.paused).to.equal(0);
      expect(after.calledOnceWithExactly(7)).to.equal(true);
    });

    it('should go on with the error path when the inner Deferred fails', () => {
      const err = new Error('inner');
      const inner = new Deferred();
      const eb = sinon.spy((_: unknown) => 'ok');
      const d = new Deferred();
      d.addCallback(() => inner).addErrback(eb);
      d.callback(1);
      inner.errback(err);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
      expect(d.result).to.equal('ok');
    });

    it('should go on at once with an inner Deferred already fired', () => {
      const inner = new Deferred<string>();
      inner.callback('ready');
      const d = new Deferred<number>();
      d.addCallback(() => inner);
      d.callback(1);
      expect(d.paused).to.equal(0);
      expect(d.result).to.equal('ready');
      expect(inner.result).to.equal('ready');
    });

    it('should let the inner Deferred keep its result', () => {
      const inner = new Deferred<string>();
      const d = new Deferred<number>();
      d.addCallback(() => inner);
      d.callback(1);
      inner.callback('shared');
      expect(d.result).to.equal('shared');
      expect(inner.result).to.equal('shared');
    });

    it('should pause on a Promise and go on with its value', async () => {
      const d = new Deferred<number>();
      const after = sinon.spy();
      d.addCallback(() => Promise.resolve(9)).addCallback(after);
      d.callback(1);
      expect(d.paused).to.equal(1);
      await Promise.resolve();
      expect(d.paused).to.equal(0);
      expect(after.calledOnceWithExactly(9)).to.equal(true);
    });

    it('should pause on a Promise and take the error path when it rejects', async () => {
      const err = new Error('rejected');
      const d = new Deferred<number>();
      d.addCallback(() => Promise.reject(err));
      d.callback(1);
      let caught: unknown;
      await d.then(undefined, (e: unknown) => {
        caught = e;
      });
      expect(caught).to.equal(err);
    });

    it('should count every pause', () => {
      const a = new Deferred();
      const b = new Deferred();
      const d = new Deferred();
      d.pause();
      d.addCallback(() => a).addCallback(() => b);
      d.callback(0);
      expect(d.paused).to.equal(1);
      d.unpause();
      expect(d.paused).to.equal(1);
      a.callback('a');
      expect(d.paused).to.equal(1);
      expect(d.result).to.equal(b);
      b.callback('b');
      expect(d.paused).to.equal(0);
      expect(d.result).to.equal('b');
    });

    it('should hold callbacks while paused by pause()', () => {
      const cb = sinon.spy();
      const d = new Deferred<number>();
      d.pause();
      d.callback(1);
      d.addCallback(cb);
      expect(cb.called).to.equal(false);
      d.unpause();
      expect(cb.calledOnceWithExactly(1)).to.equal(true);
      d.unpause();
      expect(d.paused).to.equal(0);
    });

    it('should fail with InvalidStateError when a callback returns its own Deferred', () => {
      const d = new Deferred();
      d.addCallback(() => d);
      d.callback(1);
      expect(d.result).to.be.instanceOf(InvalidStateError);
      d.addErrback(() => null);
    });

    it('should fail when calling then() on a thenable throws', () => {
      const err = new Error('bad thenable');
      const thenable = {
        then(): never {
          throw err;
        },
      };
      const d = new Deferred();
      d.addCallback(() => thenable);
      d.callback(1);
      expect(d.paused).to.equal(0);
      expect(outcome(d)).to.equal(err);
      d.addErrback(() => null);
    });
  });

  describe('deep chains', () => {
    it(`should run ${N} callbacks without overflowing the stack`, () => {
      const d = new Deferred<number>();
      for (let i = 0; i < N; i += 1) d.addCallback((n: number) => n + 1);
      d.callback(0);
      expect(d.result).to.equal(N);
    });

    it(`should run ${N} alternating failures and recoveries`, () => {
      const d = new Deferred<number>();
      for (let i = 0; i < N; i += 1) {
        d.addCallback((n: number) => new Error(String(n))).addErrback(
          (e) => Number((e as Error).message) + 1,
        );
      }
      d.callback(0);
      expect(d.result).to.equal(N);
    });

    it(`should run ${N} nested Deferreds fired in order`, () => {
      const ds = Array.from({ length: N }, () => new Deferred<unknown>());
      for (let i = 0; i < N - 1; i += 1) ds[i]!.addCallback(() => ds[i + 1]);
      for (let i = 0; i < N - 1; i += 1) ds[i]!.callback(i);
      expect(ds[0]!.paused).to.equal(1);
      ds[N - 1]!.callback('end');
      for (const d of ds) {
        expect(d.paused).to.equal(0);
        expect(d.result).to.equal('end');
      }
    });

    it(`should run ${N} nested Deferreds already fired`, () => {
      const ds = Array.from({ length: N }, () => new Deferred<unknown>());
      ds[N - 1]!.callback('end');
      for (let i = N - 2; i >= 0; i -= 1) {
        ds[i]!.addCallback(() => ds[i + 1]);
        ds[i]!.callback(i);
      }
      expect(ds[0]!.result).to.equal('end');
    });

    it(`should run a chain waiting on ${N} Deferreds, each returned by the previous one`, () => {
      const outer = new Deferred<number>();
      const inners: Deferred<number>[] = [];
      let current: Deferred<number> = outer;
      for (let i = 0; i < N; i += 1) {
        const inner = new Deferred<number>();
        inners.push(inner);
        current.addCallback(() => inner);
        current = inner;
      }
      outer.callback(0);
      inners.forEach((inner, i) => inner.callback(i + 1));
      expect(outer.paused).to.equal(0);
      expect(outer.result).to.equal(N);
    });

    it(`should propagate a failure through ${N} nested Deferreds`, () => {
      const err = new Error('deep');
      const ds = Array.from({ length: N }, () => new Deferred<unknown>());
      for (let i = 0; i < N - 1; i += 1) ds[i]!.addCallback(() => ds[i + 1]);
      for (let i = 0; i < N - 1; i += 1) ds[i]!.callback(i);
      ds[N - 1]!.errback(err);
      expect(ds[0]!.result).to.equal(err);
      ds[0]!.addErrback(() => null);
    });
  });

  describe('re-entrancy', () => {
    it('should run callbacks added by a running callback after it, in order', () => {
      const order: string[] = [];
      const d = new Deferred<number>();
      d.addCallback((n) => {
        order.push('first');
        d.addCallback((m: number) => {
          order.push('added');
          return m + 10;
        });
        return n + 1;
      }).addCallback((n: number) => {
        order.push('second');
        return n * 2;
      });
      d.callback(1);
      expect(order).to.deep.equal(['first', 'second', 'added']);
      expect(d.result).to.equal(14);
    });

    it(`should let a callback add ${N} callbacks to its own Deferred`, () => {
      const d = new Deferred<number>();
      d.addCallback((n) => {
        for (let i = 0; i < N; i += 1) d.addCallback((m: number) => m + 1);
        return n;
      });
      d.callback(0);
      expect(d.result).to.equal(N);
    });

    it('should let a callback fire another Deferred', () => {
      const other = new Deferred<string>();
      const seen = sinon.spy();
      other.addCallback(seen);
      const d = new Deferred<string>();
      d.addCallback((s) => {
        other.callback(`${s}+`);
        return s;
      });
      d.callback('go');
      expect(seen.calledOnceWithExactly('go+')).to.equal(true);
    });

    it('should let the callback of an inner Deferred fire another one while the outer waits', () => {
      const inner = new Deferred<number>();
      const outer = new Deferred<number>();
      const last = new Deferred<number>();
      outer.addCallback(() => inner).addCallback((n: number) => n + 1);
      inner.addCallback((n) => {
        last.callback(n);
        return n * 2;
      });
      outer.callback(0);
      inner.callback(5);
      expect(last.result).to.equal(5);
      expect(outer.result).to.equal(11);
    });

    it('should let a callback add to the inner Deferred it returns', () => {
      const inner = new Deferred<number>();
      inner.callback(1);
      const d = new Deferred<number>();
      d.addCallback(() => {
        inner.addCallback((n: number) => n + 1);
        return inner;
      });
      d.callback(0);
      expect(d.result).to.equal(2);
    });
  });

  describe('cancel()', () => {
    it('should errback with CancelledError when not called', () => {
      const d = new Deferred();
      const eb = sinon.spy((_: unknown) => null);
      d.addErrback(eb);
      d.cancel();
      expect(eb.calledOnce).to.equal(true);
      expect(eb.firstCall.args[0]).to.be.instanceOf(CancelledError);
    });

    it('should ignore one later callback when there is no canceller', () => {
      const d = new Deferred();
      d.addErrback(() => null);
      d.cancel();
      expect(() => d.callback('late')).not.to.throw();
      expect(d.result).to.equal(null);
      expect(() => d.callback('later')).to.throw(AlreadyCalledError);
    });

    it('should call the canceller with the Deferred', () => {
      const canceller = sinon.spy();
      const d = new Deferred(canceller);
      d.addErrback(() => null);
      d.cancel();
      expect(canceller.calledOnceWithExactly(d)).to.equal(true);
      expect(() => d.callback('late')).to.throw(AlreadyCalledError);
    });

    it('should let the canceller fire the Deferred itself', () => {
      const d = new Deferred<string>((self) => self.callback('cancelled nicely'));
      d.cancel();
      expect(d.result).to.equal('cancelled nicely');
    });

    it('should errback with what the canceller throws', () => {
      const err = new Error('canceller failed');
      const d = new Deferred(() => {
        throw err;
      });
      d.cancel();
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should do nothing on a Deferred already called', () => {
      const canceller = sinon.spy();
      const d = new Deferred<number>(canceller);
      d.callback(1);
      d.cancel();
      expect(canceller.called).to.equal(false);
      expect(d.result).to.equal(1);
    });

    it('should cancel the inner Deferred it is paused on', () => {
      const innerCanceller = sinon.spy();
      const inner = new Deferred(innerCanceller);
      const eb = sinon.spy((_: unknown) => 'stopped');
      const d = new Deferred();
      d.addCallback(() => inner).addErrback(eb);
      d.callback(1);
      d.cancel();
      expect(innerCanceller.calledOnce).to.equal(true);
      expect(d.paused).to.equal(0);
      expect(eb.firstCall.args[0]).to.be.instanceOf(CancelledError);
      expect(d.result).to.equal('stopped');
    });

    it('should stop waiting on a Promise and ignore its late outcome', async () => {
      let resolve: (v: number) => void = () => undefined;
      const promise = new Promise<number>((r) => {
        resolve = r;
      });
      const d = new Deferred();
      d.addCallback(() => promise);
      d.callback(1);
      d.cancel();
      expect(d.paused).to.equal(0);
      expect(d.result).to.be.instanceOf(CancelledError);
      d.addErrback(() => 'handled');
      resolve(5);
      await promise;
      expect(d.result).to.equal('handled');
    });
  });

  describe('then()', () => {
    it('should make the Deferred awaitable', async () => {
      const d = new Deferred<number>();
      setImmediate(() => d.callback(42));
      expect(await d).to.equal(42);
    });

    it('should reject when the chain fails', async () => {
      const err = new Error('boom');
      const d = new Deferred<number>();
      d.errback(err);
      let caught: unknown;
      try {
        await d;
      } catch (e) {
        caught = e;
      }
      expect(caught).to.equal(err);
    });

    it('should return a native Promise', () => {
      const d = new Deferred<number>();
      d.callback(1);
      const p = d.then((n) => n + 1);
      expect(p).to.be.instanceOf(Promise);
      return p.then((n) => expect(n).to.equal(2));
    });

    it('should not alter the result of the chain', async () => {
      const d = new Deferred<number>();
      d.callback(1);
      const p = d.then(() => 'other');
      d.addCallback((n) => n + 1);
      expect(await p).to.equal('other');
      expect(d.result).to.equal(2);
    });

    it('should not recover the error path', async () => {
      const err = new Error('stays');
      const d = new Deferred();
      const p = d.then(undefined, () => 'seen');
      const eb = sinon.spy((_: unknown) => null);
      d.addErrback(eb);
      d.errback(err);
      expect(await p).to.equal('seen');
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
    });

    it('should observe the result at the point of the chain where it was added', async () => {
      const d = new Deferred<number>();
      d.addCallback((n) => n + 1);
      const p = d.then((n) => n);
      d.addCallback((n) => n * 100);
      d.callback(1);
      expect(await p).to.equal(2);
      expect(d.result).to.equal(200);
    });
  });

  describe('asObservable()', () => {
    it('should emit the result once and complete', () => {
      const next = sinon.spy();
      const complete = sinon.spy();
      const d = new Deferred<number>();
      d.asObservable().subscribe({ next, complete });
      expect(next.called).to.equal(false);
      d.callback(3);
      expect(next.calledOnceWithExactly(3)).to.equal(true);
      expect(complete.calledOnce).to.equal(true);
    });

    it('should error when the chain fails', () => {
      const err = new Error('x');
      const error = sinon.spy();
      const d = new Deferred<number>();
      d.asObservable().subscribe({ error });
      d.errback(err);
      expect(error.calledOnceWithExactly(err)).to.equal(true);
    });

    it('should replay the result to a late subscriber', () => {
      const d = new Deferred<number>();
      const observable = d.asObservable();
      d.callback(8);
      const next = sinon.spy();
      const complete = sinon.spy();
      observable.subscribe({ next, complete });
      observable.subscribe({ next });
      expect(next.args).to.deep.equal([[8], [8]]);
      expect(complete.calledOnce).to.equal(true);
    });

    it('should replay an error to a late subscriber', () => {
      const err = new Error('late');
      const d = new Deferred();
      d.errback(err);
      const error = sinon.spy();
      d.asObservable().subscribe({ error });
      expect(error.calledOnceWithExactly(err)).to.equal(true);
    });

    it('should not alter the result of the chain', () => {
      const d = new Deferred<number>();
      const next = sinon.spy();
      d.asObservable().subscribe({ next });
      d.addCallback((n) => n + 1);
      d.callback(1);
      expect(next.calledOnceWithExactly(1)).to.equal(true);
      expect(d.result).to.equal(2);
    });

    it('should emit the result of a paused chain once it goes on', async () => {
      const d = new Deferred<number>();
      d.addCallback(() => Promise.resolve(4));
      d.callback(1);
      const values: number[] = [];
      await new Promise<void>((resolve) => {
        d.asObservable().subscribe({ next: (v) => values.push(v), complete: resolve });
      });
      expect(values).to.deep.equal([4]);
    });
  });
});
