import { expect } from 'chai';
import sinon from 'sinon';
import { Deferred } from '../../lib/async/Deferred.js';
import { isAsync } from '../../lib/async/isAsync.js';
import { makeAsync } from '../../lib/async/makeAsync.js';
import { maybeAsync } from '../../lib/async/maybeAsync.js';
import { reportUnhandledErrors } from '../../lib/async/reportUnhandledErrors.js';
import { safeAsync } from '../../lib/async/safeAsync.js';
import { CancelledError } from '../../lib/errors.js';

describe('async helpers', () => {
  afterEach(() => {
    reportUnhandledErrors();
  });

  describe('isAsync()', () => {
    it('should be true for Promises, Deferreds and thenables', () => {
      const fn = Object.assign(() => undefined, { then: () => undefined });
      expect(isAsync(Promise.resolve(1))).to.equal(true);
      expect(isAsync(new Deferred())).to.equal(true);
      expect(isAsync({ then: () => undefined })).to.equal(true);
      expect(isAsync(fn)).to.equal(true);
    });

    it('should be false for anything else', () => {
      for (const value of [null, undefined, 0, 'then', {}, { then: 1 }, [], () => undefined]) {
        expect(isAsync(value)).to.equal(false);
      }
    });
  });

  describe('makeAsync()', () => {
    it('should give a fired Deferred for a plain value', () => {
      const d = makeAsync(5);
      expect(d).to.be.instanceOf(Deferred);
      expect(d.called).to.equal(true);
      expect(d.result).to.equal(5);
    });

    it('should return a Deferred as it is', () => {
      const d = new Deferred<number>();
      expect(makeAsync(d)).to.equal(d);
    });

    it('should give a Deferred on the error path for an Error', () => {
      const err = new Error('x');
      const eb = sinon.spy((_: unknown) => null);
      makeAsync(err).addErrback(eb);
      expect(eb.calledOnceWithExactly(err)).to.equal(true);
    });

    it('should follow a Promise that fulfils', async () => {
      const d = makeAsync(Promise.resolve('later'));
      expect(d.called).to.equal(false);
      expect(await d).to.equal('later');
      expect(d.result).to.equal('later');
    });

    it('should follow a Promise that rejects', async () => {
      const err = new Error('rejected');
      const d = makeAsync(Promise.reject(err));
      let caught: unknown;
      await d.then(undefined, (e: unknown) => {
        caught = e;
      });
      expect(caught).to.equal(err);
    });

    it('should fail when then() of the thenable throws', () => {
      const err = new Error('bad then');
      const d = makeAsync({
        then(): never {
          throw err;
        },
      });
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should ignore the outcome of a Promise once cancelled', async () => {
      const promise = Promise.resolve(1);
      const d = makeAsync(promise);
      d.cancel();
      d.addErrback(() => 'cancelled');
      await promise;
      await Promise.resolve();
      expect(d.result).to.equal('cancelled');
    });

    it('should errback with CancelledError when cancelled', () => {
      const d = makeAsync(new Promise<never>(() => undefined));
      const eb = sinon.spy((_: unknown) => null);
      d.addErrback(eb);
      d.cancel();
      expect(eb.firstCall.args[0]).to.be.instanceOf(CancelledError);
    });
  });

  describe('maybeAsync()', () => {
    it('should return a plain value as it is', () => {
      const value = { a: 1 };
      expect(maybeAsync(value)).to.equal(value);
      expect(maybeAsync(undefined)).to.equal(undefined);
    });

    it('should return an Error as it is', () => {
      const err = new Error('x');
      expect(maybeAsync(err)).to.equal(err);
    });

    it('should return the result of a Deferred fired with success', () => {
      const d = new Deferred<number>();
      d.callback(3);
      expect(maybeAsync(d)).to.equal(3);
    });

    it('should return a failed Deferred as it is, without throwing', () => {
      const d = new Deferred();
      d.errback(new Error('x'));
      expect(maybeAsync(d)).to.equal(d);
      d.addErrback(() => null);
    });

    it('should return a Deferred failed with a reason that is not an Error as it is', () => {
      const d = new Deferred();
      d.errback('not an Error');
      expect(maybeAsync(d)).to.equal(d);
      d.addErrback(() => null);
    });

    it('should not change the chain of the Deferred it reads', () => {
      const d = new Deferred<number>();
      d.callback(1);
      expect(maybeAsync(d)).to.equal(1);
      d.addCallback((n) => n + 1);
      expect(d.result).to.equal(2);
    });

    it('should return a Deferred not fired or paused as it is', () => {
      const waiting = new Deferred();
      const paused = new Deferred();
      paused.addCallback(() => new Deferred());
      paused.callback(1);
      expect(maybeAsync(waiting)).to.equal(waiting);
      expect(maybeAsync(paused)).to.equal(paused);
    });

    it('should give a Deferred for a Promise', async () => {
      const result = maybeAsync(Promise.resolve(2));
      expect(result).to.be.instanceOf(Deferred);
      expect(await result).to.equal(2);
    });
  });

  describe('safeAsync()', () => {
    it('should give a Deferred of the result, with the arguments passed', () => {
      const d = safeAsync((a: number, b: number) => a + b, 1, 2);
      expect(d.result).to.equal(3);
    });

    it('should give a Deferred of what the function throws', () => {
      const err = new Error('thrown');
      const d = safeAsync(() => {
        throw err;
      });
      expect(d.result).to.equal(err);
      d.addErrback(() => null);
    });

    it('should keep a thrown value that is not an Error', () => {
      const d = safeAsync(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'a string';
      });
      const eb = sinon.spy((_: unknown) => null);
      d.addErrback(eb);
      expect(eb.calledOnceWithExactly('a string')).to.equal(true);
    });

    it('should follow a returned Promise', async () => {
      const d = safeAsync(async (s: string) => {
        await Promise.resolve();
        return s.toUpperCase();
      }, 'ok');
      expect(d.called).to.equal(false);
      expect(await d).to.equal('OK');
    });

    it('should follow a returned Promise that rejects', async () => {
      const err = new Error('async failure');
      const d = safeAsync(() => Promise.reject(err));
      let caught: unknown;
      await d.then(undefined, (e: unknown) => {
        caught = e;
      });
      expect(caught).to.equal(err);
    });

    it('should return a returned Deferred as it is', () => {
      const inner = new Deferred<number>();
      expect(safeAsync(() => inner)).to.equal(inner);
    });
  });
});
