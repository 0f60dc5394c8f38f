import { expect } from 'chai';
import sinon from 'sinon';
import { ImproperlyConfiguredError } from '../../lib/errors.js';
import { armInterval, armTimeout } from '../../lib/eventloop/timers.js';
import { MAX_TIMER_MS } from '../../lib/util/maxTimerMs.js';

const DAY = 86_400_000;

describe('timers', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => {
    clock.restore();
  });

  it('should have MAX_TIMER_MS at 2^31 - 1, the longest delay Node keeps', () => {
    expect(MAX_TIMER_MS).to.equal(2147483647);
  });

  describe('armTimeout()', () => {
    it('should wait a delay past MAX_TIMER_MS whole: not at 1 ms, nor at MAX_TIMER_MS', () => {
      const spy = sinon.spy();
      const sub = armTimeout(spy, 30 * DAY);
      clock.tick(1);
      expect(spy.called, 'at 1 ms').to.equal(false);
      clock.tick(MAX_TIMER_MS - 1);
      expect(spy.called, 'at MAX_TIMER_MS').to.equal(false);
      clock.tick(30 * DAY - MAX_TIMER_MS - 1);
      expect(spy.called, 'a millisecond before 30 days').to.equal(false);
      clock.tick(1);
      expect(spy.calledOnce, 'at 30 days').to.equal(true);
      clock.tick(60 * DAY);
      expect(spy.calledOnce).to.equal(true);
      expect(clock.countTimers()).to.equal(0);
      sub.unsubscribe();
    });

    it('should wait several hops (100 days) and fire once', () => {
      const spy = sinon.spy();
      armTimeout(spy, 100 * DAY);
      clock.tick(100 * DAY - 1);
      expect(spy.called).to.equal(false);
      clock.tick(1);
      expect(spy.calledOnce).to.equal(true);
    });

    it('should keep MAX_TIMER_MS itself one timer, fired at MAX_TIMER_MS', () => {
      const spy = sinon.spy();
      armTimeout(spy, MAX_TIMER_MS);
      clock.tick(MAX_TIMER_MS - 1);
      expect(spy.called).to.equal(false);
      clock.tick(1);
      expect(spy.calledOnce).to.equal(true);
    });

    it('should cancel a long delay in its second hop', () => {
      const spy = sinon.spy();
      const sub = armTimeout(spy, 30 * DAY);
      clock.tick(25 * DAY);
      expect(clock.countTimers()).to.equal(1);
      sub.unsubscribe();
      expect(clock.countTimers()).to.equal(0);
      clock.tick(10 * DAY);
      expect(spy.called).to.equal(false);
    });

    it('should never fire an Infinity delay, holding one timer until unsubscribed', () => {
      const spy = sinon.spy();
      const sub = armTimeout(spy, Infinity);
      clock.tick(1000 * DAY);
      expect(spy.called).to.equal(false);
      expect(clock.countTimers()).to.equal(1);
      sub.unsubscribe();
      expect(clock.countTimers()).to.equal(0);
    });
  });

  describe('armInterval()', () => {
    it('should refuse a period past MAX_TIMER_MS, naming the limit, arming nothing', () => {
      for (const bad of [MAX_TIMER_MS + 1, 30 * DAY, Infinity, NaN]) {
        expect(() => armInterval(() => undefined, bad), String(bad)).to.throw(
          ImproperlyConfiguredError,
          `an interval's period must be at most 2147483647 ms (MAX_TIMER_MS, the longest timer Node keeps), got ${bad}`,
        );
      }
      expect(clock.countTimers()).to.equal(0);
    });

    it('should take MAX_TIMER_MS itself, first firing at MAX_TIMER_MS', () => {
      const spy = sinon.spy();
      const sub = armInterval(spy, MAX_TIMER_MS);
      clock.tick(MAX_TIMER_MS - 1);
      expect(spy.called).to.equal(false);
      clock.tick(1);
      expect(spy.calledOnce).to.equal(true);
      sub.unsubscribe();
      expect(clock.countTimers()).to.equal(0);
    });
  });
});
