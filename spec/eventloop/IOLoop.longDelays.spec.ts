import { expect } from 'chai';
import sinon from 'sinon';
import { IOLoop } from '../../lib/eventloop/IOLoop.js';
import { MAX_TIMER_MS } from '../../lib/util/maxTimerMs.js';
import { LoopTracker } from '../support/eventloop.js';
import { sleep } from '../support/waiting.js';

const DAY = 86_400_000;

describe('IOLoop', () => {
  const loops = new LoopTracker();

  describe('delays past MAX_TIMER_MS (fake timers)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => {
      loops.stopAll();
      clock.restore();
    });

    it('should run a 30-day timeout at 30 days, not at 1 ms nor at 24.8 days', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      const handle = loop.addTimeout(30 * DAY, spy);
      clock.tick(1);
      expect(spy.called, 'at 1 ms').to.equal(false);
      clock.tick(MAX_TIMER_MS - 1);
      expect(spy.called, 'at MAX_TIMER_MS').to.equal(false);
      clock.tick(30 * DAY - MAX_TIMER_MS);
      expect(spy.calledOnce, 'at 30 days').to.equal(true);
      expect(handle.closed).to.equal(true);
    });

    it('should cancel a 30-day timeout in its second hop with removeTimeout()', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      const handle = loop.addTimeout(30 * DAY, spy);
      clock.tick(25 * DAY);
      loop.removeTimeout(handle);
      expect(clock.countTimers()).to.equal(0);
      clock.tick(10 * DAY);
      expect(spy.called).to.equal(false);
    });

    it('should release a long timeout in its second hop when the loop stops', () => {
      const loop = new IOLoop();
      const spy = sinon.spy();
      loop.start();
      loop.addTimeout(30 * DAY, spy);
      clock.tick(25 * DAY);
      loop.stop();
      expect(clock.countTimers()).to.equal(0);
      clock.tick(10 * DAY);
      expect(spy.called).to.equal(false);
    });

    it('should run a 30-day periodic every 30 days, not every millisecond', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.addPeriodic(spy, 30 * DAY);
      // Ticked in steps: a clock ticked 30 days at once through a 1 ms
      // periodic (Node's cut) would run billions of callbacks.
      clock.tick(1);
      expect(spy.called, 'at 1 ms').to.equal(false);
      clock.tick(MAX_TIMER_MS - 1);
      expect(spy.called, 'by 24.8 days').to.equal(false);
      clock.tick(30 * DAY - MAX_TIMER_MS);
      expect(spy.callCount, 'at 30 days').to.equal(1);
      clock.tick(30 * DAY - 1);
      expect(spy.callCount, 'a millisecond before 60 days').to.equal(1);
      clock.tick(1);
      expect(spy.callCount, 'at 60 days').to.equal(2);
    });
  });

  describe('delays past MAX_TIMER_MS (real timers)', () => {
    const overflows: Error[] = [];
    const listen = (warning: Error): void => {
      if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning);
    };
    beforeEach(() => {
      overflows.length = 0;
      process.on('warning', listen);
    });
    afterEach(() => {
      process.off('warning', listen);
      loops.stopAll();
    });

    it('should arm a 30-day timeout and periodic without a TimeoutOverflowWarning, firing neither', async () => {
      const loop = loops.track(new IOLoop());
      const timeout = sinon.spy();
      const periodic = sinon.spy();
      loop.start();
      loop.addTimeout(30 * DAY, timeout);
      loop.addPeriodic(periodic, 30 * DAY);
      // Node would have cut both to 1 ms and warned on the next tick.
      await sleep(20);
      expect(overflows.map((w) => w.message)).to.deep.equal([]);
      expect(timeout.called).to.equal(false);
      expect(periodic.called).to.equal(false);
    });
  });
});
