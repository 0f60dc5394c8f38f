import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import sinon from 'sinon';
import { Deferred } from '../../lib/async/Deferred.js';
import { InvalidStateError } from '../../lib/errors.js';
import { IOLoop } from '../../lib/eventloop/IOLoop.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import { createLogger } from '../../lib/log/createLogger.js';
import { LoopTracker } from '../support/eventloop.js';
import { sleep, waitFor } from '../support/waiting.js';

const timeouts = (): number =>
  process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

describe('IOLoop', () => {
  const loops = new LoopTracker();
  afterEach(() => loops.stopAll());

  describe('constructor', () => {
    it('should default the name to ioloop and create a logger', () => {
      const loop = loops.track(new IOLoop());
      expect(loop.name).to.equal('ioloop');
      expect(loop.logger.error).to.be.a('function');
    });

    it('should use the name and logger given', () => {
      const logger = createLogger('custom');
      const loop = loops.track(new IOLoop({ name: 'worker', logger }));
      expect(loop.name).to.equal('worker');
      expect(loop.logger).to.equal(logger);
    });

    it('should not be running and have counted nothing', () => {
      const loop = loops.track(new IOLoop());
      expect(loop.running).to.equal(false);
      expect(loop.numLoops).to.equal(0);
    });
  });

  describe('start()', () => {
    it('should return a pending Deferred and run the loop', () => {
      const loop = loops.track(new IOLoop());
      const done = loop.start();
      expect(done).to.be.instanceOf(Deferred);
      expect(done.called).to.equal(false);
      expect(loop.running).to.equal(true);
    });

    it('should return the same Deferred when the loop already runs', () => {
      const loop = loops.track(new IOLoop());
      expect(loop.start()).to.equal(loop.start());
    });

    it('should fire the Deferred when the loop stops', async () => {
      const loop = loops.track(new IOLoop());
      const done = loop.start();
      loop.addTimeout(5, () => loop.stop());
      await done;
      expect(done.called).to.equal(true);
      expect(loop.running).to.equal(false);
    });

    it('should throw InvalidStateError after stop(), since a loop is not restartable', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      loop.stop();
      expect(() => loop.start()).to.throw(InvalidStateError, /cannot be restarted/);
    });

    it('should hold one keep-alive timer while running and none after stop()', () => {
      const before = timeouts();
      const loop = loops.track(new IOLoop());
      loop.start();
      expect(timeouts()).to.equal(before + 1);
      loop.stop();
      expect(timeouts()).to.equal(before);
    });
    it('should arm timers with the timer functions installed at that moment', () => {
      const before = timeouts();
      const loop = loops.track(new IOLoop());
      loop.start(); // a real keep-alive
      const clock = sinon.useFakeTimers();
      try {
        const spy = sinon.spy();
        loop.addTimeout(1000, spy);
        loop.interval(500).subscribe(spy);
        expect(clock.countTimers()).to.equal(2);
        clock.tick(1000);
        expect(spy.callCount).to.equal(3);
        loop.stop(); // clears the fake timers with the fake clock, the real one with Node
        expect(clock.countTimers()).to.equal(0);
      } finally {
        clock.restore();
      }
      expect(timeouts()).to.equal(before);
    });
  });

  describe('stop()', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it('should be idempotent and fire the Deferred once', () => {
      const loop = loops.track(new IOLoop());
      const fired = sinon.spy();
      loop.start().addCallback(fired);
      loop.stop();
      loop.stop();
      expect(fired.calledOnce).to.equal(true);
      expect(loop.running).to.equal(false);
    });

    it('should release every timer, periodic, callback, task and the keep-alive', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      loop.addTimeout(10, spy);
      const periodic = loop.addPeriodic(spy, 10);
      loop.addCallback(spy);
      loop.addTask(spy);
      loop.interval(10).subscribe(spy);
      loop.timer(10).subscribe(spy);
      loop.iterations$.subscribe(spy);
      expect(clock.countTimers()).to.be.greaterThan(4);
      loop.stop();
      expect(periodic.running).to.equal(false);
      expect(clock.countTimers()).to.equal(0);
      clock.tick(100);
      expect(spy.called).to.equal(false);
    });

    it('should close a loop that never started', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.addTimeout(10, spy);
      loop.stop();
      clock.tick(20);
      expect(spy.called).to.equal(false);
      expect(clock.countTimers()).to.equal(0);
      expect(() => loop.start()).to.throw(InvalidStateError);
    });

    it('should run every teardown and log the ones that throw', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        const source = new EventEmitter();
        sinon.stub(source, 'off').throws(new Error('stuck listener'));
        const spy = sinon.spy();
        const done = loop.start();
        loop.addHandler(source, spy, ['data']);
        loop.addTimeout(10, spy);
        loop.stop();
        clock.tick(20);
        expect(spy.called).to.equal(false);
        expect(done.called).to.equal(true);
        const errors = logs.records.filter((r) => r.level === 'error');
        expect(errors).to.have.length(1);
        expect(errors[0]?.message).to.contain('stuck listener');
      } finally {
        logs.restore();
      }
    });

    it('should make every add…() throw InvalidStateError afterwards', () => {
      const loop = loops.track(new IOLoop());
      const noop = (): void => undefined;
      loop.stop();
      expect(() => loop.addTimeout(1, noop)).to.throw(InvalidStateError);
      expect(() => loop.addCallback(noop)).to.throw(InvalidStateError);
      expect(() => loop.addPeriodic(noop, 1)).to.throw(InvalidStateError);
      expect(() => loop.addTask(noop)).to.throw(InvalidStateError);
      expect(() => loop.addHandler(new EventEmitter(), noop, ['x'])).to.throw(InvalidStateError);
    });

    it('should be callable from a callback of the loop', () => {
      const loop = loops.track(new IOLoop());
      const after = sinon.spy();
      loop.start();
      loop.addCallback(() => loop.stop());
      loop.addCallback(after);
      loop.addTask(after);
      clock.next();
      expect(loop.running).to.equal(false);
      expect(after.called).to.equal(false);
    });
  });

  describe('numLoops', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it('should count one iteration for each turn with callbacks', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      loop.addCallback(() => loop.addCallback(() => undefined));
      clock.next();
      expect(loop.numLoops).to.equal(1);
      clock.next();
      expect(loop.numLoops).to.equal(2);
      expect(clock.countTimers()).to.equal(1); // only the keep-alive
    });

    it('should count timers that fire in the same iteration once', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      loop.addTimeout(100, () => undefined);
      loop.addTimeout(100, () => undefined);
      clock.tick(100);
      expect(loop.numLoops).to.equal(1);
      loop.addTimeout(100, () => undefined);
      clock.tick(100);
      expect(loop.numLoops).to.equal(2);
    });

    it('should count a timer and a callback of the same iteration once', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      const callback = sinon.spy();
      loop.addTimeout(10, () => loop.addCallback(callback));
      clock.tick(10);
      clock.next(); // fake timers run an immediate armed during tick() on the next step
      expect(callback.calledOnce).to.equal(true);
      expect(loop.numLoops).to.equal(1);
    });

    it('should not count while the loop is not running', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.addTimeout(10, spy);
      clock.tick(10);
      expect(spy.calledOnce).to.equal(true);
      expect(loop.numLoops).to.equal(0);
    });

    it('should not iterate when there is nothing to do', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      clock.tick(1000);
      expect(loop.numLoops).to.equal(0);
      expect(clock.countTimers()).to.equal(1);
    });

    it('should keep its count after stop()', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      loop.addCallback(() => undefined);
      clock.next();
      loop.stop();
      expect(loop.numLoops).to.equal(1);
    });
  });

  describe('numLoops (real timers)', () => {
    it('should increase while tasks run and stay put once they are removed', async () => {
      const loop = loops.track(new IOLoop());
      const task = (): void => undefined;
      loop.start();
      loop.addTask(task);
      // Waited for: a busy machine may run none in a fixed 20 ms.
      await waitFor(() => loop.numLoops > 2);
      loop.removeTask(task);
      await sleep(5);
      const settled = loop.numLoops;
      await sleep(20);
      expect(loop.numLoops).to.equal(settled);
    });
  });
});
