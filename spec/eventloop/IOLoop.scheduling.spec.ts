import { expect } from 'chai';
import sinon from 'sinon';
import { InvalidStateError } from '../../lib/errors.js';
import { IOLoop } from '../../lib/eventloop/IOLoop.js';
import { PeriodicCallback } from '../../lib/eventloop/PeriodicCallback.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import { LoopTracker } from '../support/eventloop.js';
import { sleep, waitFor } from '../support/waiting.js';

describe('IOLoop', () => {
  const loops = new LoopTracker();
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => {
    loops.stopAll();
    clock.restore();
  });

  describe('addTimeout()', () => {
    it('should run the callback once after the delay', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      loop.addTimeout(100, spy);
      clock.tick(99);
      expect(spy.called).to.equal(false);
      clock.tick(1);
      expect(spy.calledOnce).to.equal(true);
      clock.tick(1000);
      expect(spy.calledOnce).to.equal(true);
    });

    it('should return a handle that closes once the timeout ran', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      const handle = loop.addTimeout(10, () => undefined);
      expect(handle.closed).to.equal(false);
      clock.tick(10);
      expect(handle.closed).to.equal(true);
    });

    it('should run timeouts registered before start()', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.addTimeout(10, spy);
      clock.tick(10);
      expect(spy.calledOnce).to.equal(true);
    });

    it('should log a callback that throws and go on with the others', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        const spy = sinon.spy();
        loop.start();
        loop.addTimeout(10, () => {
          throw new Error('timeout boom');
        });
        loop.addTimeout(10, spy);
        clock.tick(10);
        expect(spy.calledOnce).to.equal(true);
        expect(logs.records.map((r) => `${r.level} ${r.message}`)).to.deep.equal([
          'error timeout callback failed: Error: timeout boom',
        ]);
      } finally {
        logs.restore();
      }
    });

    it('should log a returned promise that rejects', async () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        loop.start();
        loop.addTimeout(10, () => Promise.reject(new Error('async boom')));
        await clock.tickAsync(10);
        expect(logs.records.map((r) => r.message)).to.deep.equal([
          'timeout callback failed: Error: async boom',
        ]);
      } finally {
        logs.restore();
      }
    });
  });

  describe('removeTimeout()', () => {
    it('should cancel a pending timeout', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      const handle = loop.addTimeout(10, spy);
      loop.removeTimeout(handle);
      clock.tick(20);
      expect(spy.called).to.equal(false);
      expect(clock.countTimers()).to.equal(1); // the keep-alive
    });

    it('should be a no-op for a timeout that already ran or was removed', () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      const handle = loop.addTimeout(10, () => undefined);
      clock.tick(10);
      expect(() => loop.removeTimeout(handle)).not.to.throw();
      expect(() => loop.removeTimeout(handle)).not.to.throw();
    });

    it('should cancel a callback too', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      loop.removeTimeout(loop.addCallback(spy));
      clock.tick(1000);
      expect(spy.called).to.equal(false);
    });
  });

  describe('addCallback()', () => {
    it('should run the callback on the next iteration, not synchronously', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      loop.addCallback(spy);
      expect(spy.called).to.equal(false);
      clock.next();
      expect(spy.calledOnce).to.equal(true);
    });

    it('should run callbacks in the order they were added', () => {
      const loop = loops.track(new IOLoop());
      const order: number[] = [];
      loop.start();
      for (const n of [1, 2, 3]) loop.addCallback(() => order.push(n));
      clock.next();
      expect(order).to.deep.equal([1, 2, 3]);
    });

    it('should run a callback added by a callback on the iteration after', () => {
      const loop = loops.track(new IOLoop());
      const inner = sinon.spy();
      loop.start();
      loop.addCallback(() => loop.addCallback(inner));
      clock.next();
      expect(inner.called).to.equal(false);
      clock.next();
      expect(inner.calledOnce).to.equal(true);
    });

    it('should hold callbacks added before start() until the loop runs', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.addCallback(spy);
      clock.tick(1000);
      expect(spy.called).to.equal(false);
      loop.start();
      clock.next();
      expect(spy.calledOnce).to.equal(true);
    });

    it('should log a callback that throws and run the next one', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        const spy = sinon.spy();
        loop.start();
        loop.addCallback(() => {
          throw new TypeError('callback boom');
        });
        loop.addCallback(spy);
        clock.next();
        expect(spy.calledOnce).to.equal(true);
        expect(logs.records[0]?.message).to.equal('callback failed: TypeError: callback boom');
      } finally {
        logs.restore();
      }
    });
  });

  describe('addTask()', () => {
    it('should run the task on every iteration while the loop runs', () => {
      const loop = loops.track(new IOLoop());
      const task = sinon.spy();
      loop.addTask(task);
      clock.tick(1000);
      expect(task.called).to.equal(false);
      loop.start();
      for (let i = 0; i < 5; i += 1) clock.next();
      expect(task.callCount).to.equal(5);
      expect(loop.numLoops).to.equal(5);
    });

    it('should register the same function once', () => {
      const loop = loops.track(new IOLoop());
      const task = sinon.spy();
      loop.start();
      expect(loop.addTask(task)).to.equal(loop.addTask(task));
      clock.next();
      expect(task.callCount).to.equal(1);
    });

    it('should log a task that throws and keep running it', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        let calls = 0;
        loop.start();
        loop.addTask(() => {
          calls += 1;
          throw new Error('task boom');
        });
        for (let i = 0; i < 10 && calls < 2; i += 1) clock.next(); // log writes may take steps
        expect(calls).to.equal(2);
        expect(logs.records.map((r) => r.message)).to.deep.equal([
          'task failed: Error: task boom',
          'task failed: Error: task boom',
        ]);
      } finally {
        logs.restore();
      }
    });
  });

  describe('removeTask()', () => {
    it('should stop running the task and let the loop go idle', () => {
      const loop = loops.track(new IOLoop());
      const task = sinon.spy();
      loop.start();
      loop.addTask(task);
      clock.next();
      loop.removeTask(task);
      clock.tick(1000);
      expect(task.callCount).to.equal(1);
      expect(clock.countTimers()).to.equal(1); // the keep-alive
    });

    it('should be a no-op for a function that is not a task', () => {
      const loop = loops.track(new IOLoop());
      expect(() => loop.removeTask(() => undefined)).not.to.throw();
    });

    it('should let a task remove itself', () => {
      const loop = loops.track(new IOLoop());
      let calls = 0;
      const task = (): void => {
        calls += 1;
        loop.removeTask(task);
      };
      loop.start();
      loop.addTask(task);
      clock.tick(1000);
      expect(calls).to.equal(1);
    });
  });

  describe('addPeriodic()', () => {
    it('should return a started PeriodicCallback', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      const periodic = loop.addPeriodic(spy, 100);
      expect(periodic).to.be.instanceOf(PeriodicCallback);
      expect(periodic.running).to.equal(true);
      clock.tick(350);
      expect(spy.callCount).to.equal(3);
      expect(loop.numLoops).to.equal(3);
    });

    it('should stop the periodic when the loop stops and refuse to restart it', () => {
      const loop = loops.track(new IOLoop());
      const spy = sinon.spy();
      loop.start();
      const periodic = loop.addPeriodic(spy, 100);
      loop.stop();
      expect(periodic.running).to.equal(false);
      expect(() => periodic.start()).to.throw(InvalidStateError);
      clock.tick(1000);
      expect(spy.called).to.equal(false);
    });

    it('should log through the loop’s logger when the callback throws', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        loop.start();
        loop.addPeriodic(() => {
          throw new Error('periodic boom');
        }, 100);
        clock.tick(200);
        expect(logs.records.filter((r) => r.message.includes('periodic boom'))).to.have.length(2);
        expect(logs.records[0]?.['label']).to.equal('ioloop');
      } finally {
        logs.restore();
      }
    });
  });
});

describe('IOLoop (real timers)', () => {
  const loops = new LoopTracker();
  afterEach(() => loops.stopAll());

  describe('addTask()', () => {
    it('should yield to timers and I/O between iterations', async () => {
      const loop = loops.track(new IOLoop());
      let runs = 0;
      loop.start();
      loop.addTask(() => (runs += 1));
      // Running (waited for: a process starved past 10 ms would see the
      // timer below fire before the first iteration)…
      await waitFor(() => runs > 0);
      // …a timer still fires, and the task runs on after it.
      const fired = await new Promise<number>((resolve) => setTimeout(() => resolve(runs), 10));
      expect(fired).to.be.greaterThan(0);
      await waitFor(() => runs > fired);
    });

    it('should stop running when the loop stops', async () => {
      const loop = loops.track(new IOLoop());
      let runs = 0;
      loop.start();
      loop.addTask(() => (runs += 1));
      await waitFor(() => runs > 3);
      loop.stop();
      const stopped = runs;
      await sleep(10);
      expect(runs).to.equal(stopped);
    });
  });
});
