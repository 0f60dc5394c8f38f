import { expect } from 'chai';
import sinon from 'sinon';
import { ImproperlyConfiguredError, InvalidStateError } from '../../lib/errors.js';
import { PeriodicCallback } from '../../lib/eventloop/PeriodicCallback.js';
import { captureLogs } from '../../lib/log/captureLogs.js';

describe('PeriodicCallback', () => {
  let clock: sinon.SinonFakeTimers;
  const periodics: PeriodicCallback[] = [];
  const track = (pc: PeriodicCallback): PeriodicCallback => {
    periodics.push(pc);
    return pc;
  };
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => {
    for (const pc of periodics.splice(0)) pc.stop();
    clock.restore();
  });

  describe('constructor', () => {
    it('should not start the periodic', () => {
      const spy = sinon.spy();
      const pc = track(new PeriodicCallback(spy, 10));
      expect(pc.running).to.equal(false);
      expect(pc.periodMs).to.equal(10);
      clock.tick(100);
      expect(spy.called).to.equal(false);
    });

    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`should throw ImproperlyConfiguredError for a period of ${bad}`, () => {
        expect(() => new PeriodicCallback(() => undefined, bad)).to.throw(
          ImproperlyConfiguredError,
          'periodMs must be a positive finite number',
        );
      });
    }
  });

  describe('start()', () => {
    it('should run the callback every period, the first time one period from now', () => {
      const spy = sinon.spy();
      const pc = track(new PeriodicCallback(spy, 100));
      expect(pc.start()).to.equal(pc);
      expect(pc.running).to.equal(true);
      clock.tick(99);
      expect(spy.callCount).to.equal(0);
      clock.tick(1);
      expect(spy.callCount).to.equal(1);
      clock.tick(400);
      expect(spy.callCount).to.equal(5);
    });

    it('should be a no-op when already running', () => {
      const spy = sinon.spy();
      const pc = track(new PeriodicCallback(spy, 100)).start();
      clock.tick(50);
      pc.start();
      clock.tick(50);
      expect(spy.callCount).to.equal(1);
      expect(clock.countTimers()).to.equal(1);
    });

    it('should call onTick before each run', () => {
      const order: string[] = [];
      track(
        new PeriodicCallback(() => order.push('run'), 10, { onTick: () => order.push('tick') }),
      ).start();
      clock.tick(20);
      expect(order).to.deep.equal(['tick', 'run', 'tick', 'run']);
    });

    it('should throw InvalidStateError when isClosed() says the owner stopped', () => {
      const pc = track(new PeriodicCallback(() => undefined, 10, { isClosed: () => true }));
      expect(() => pc.start()).to.throw(InvalidStateError);
      expect(pc.running).to.equal(false);
    });
  });

  describe('stop()', () => {
    it('should cancel the next run and clear its timer', () => {
      const spy = sinon.spy();
      const pc = track(new PeriodicCallback(spy, 100)).start();
      clock.tick(150);
      pc.stop();
      expect(pc.running).to.equal(false);
      expect(clock.countTimers()).to.equal(0);
      clock.tick(1000);
      expect(spy.callCount).to.equal(1);
    });

    it('should be idempotent', () => {
      const pc = track(new PeriodicCallback(() => undefined, 100)).start();
      pc.stop();
      expect(() => pc.stop()).not.to.throw();
      expect(pc.running).to.equal(false);
    });

    it('should work from inside the callback', () => {
      let calls = 0;
      const pc: PeriodicCallback = track(
        new PeriodicCallback(() => {
          calls += 1;
          pc.stop();
        }, 10),
      ).start();
      clock.tick(100);
      expect(calls).to.equal(1);
      expect(clock.countTimers()).to.equal(0);
    });

    it('should allow a restart, one period after start()', () => {
      const spy = sinon.spy();
      const pc = track(new PeriodicCallback(spy, 100)).start();
      clock.tick(150);
      pc.stop();
      clock.tick(1000);
      pc.start();
      clock.tick(99);
      expect(spy.callCount).to.equal(1);
      clock.tick(1);
      expect(spy.callCount).to.equal(2);
    });
  });

  describe('errors', () => {
    it('should log a callback that throws, with the error in the message, and keep running', () => {
      const logs = captureLogs();
      try {
        let calls = 0;
        track(
          new PeriodicCallback(() => {
            calls += 1;
            throw new Error(`boom ${calls}`);
          }, 10),
        ).start();
        clock.tick(30);
        expect(calls).to.equal(3);
        const errors = logs.records.filter((r) => r.level === 'error').map((r) => r.message);
        expect(errors).to.deep.equal([
          'periodic callback failed: Error: boom 1',
          'periodic callback failed: Error: boom 2',
          'periodic callback failed: Error: boom 3',
        ]);
        expect(logs.records[0]?.['label']).to.equal('periodic');
      } finally {
        logs.restore();
      }
    });

    it('should log a rejected promise and keep running', async () => {
      const logs = captureLogs();
      try {
        const spy = sinon.spy(() => Promise.reject(new Error('async boom')));
        track(new PeriodicCallback(spy, 10)).start();
        await clock.tickAsync(30);
        expect(spy.callCount).to.equal(3);
        expect(logs.records.map((r) => r.message)).to.deep.equal([
          'periodic callback failed: Error: async boom',
          'periodic callback failed: Error: async boom',
          'periodic callback failed: Error: async boom',
        ]);
      } finally {
        logs.restore();
      }
    });

    it('should log a thrown non-Error value too', () => {
      const logs = captureLogs();
      try {
        track(
          new PeriodicCallback(() => {
            throw 'plain string' as unknown as Error;
          }, 10),
        ).start();
        clock.tick(10);
        expect(logs.records[0]?.message).to.equal('periodic callback failed: plain string');
      } finally {
        logs.restore();
      }
    });
  });

  describe('promise-returning callbacks', () => {
    it('should not schedule the next run before the promise settles', async () => {
      let active = 0;
      let overlapped = false;
      const starts: number[] = [];
      track(
        new PeriodicCallback(async () => {
          starts.push(Date.now());
          active += 1;
          overlapped ||= active > 1;
          await new Promise((resolve) => setTimeout(resolve, 250));
          active -= 1;
        }, 100),
      ).start();
      await clock.tickAsync(1000);
      expect(overlapped).to.equal(false);
      // runs at 100, its promise settles at 350: 200 and 300 are skipped, the next run is at 400
      expect(starts).to.deep.equal([100, 400, 700, 1000]);
    });

    it('should keep the cadence when the promise settles within the period', async () => {
      const starts: number[] = [];
      track(
        new PeriodicCallback(async () => {
          starts.push(Date.now());
          await new Promise((resolve) => setTimeout(resolve, 30));
        }, 100),
      ).start();
      await clock.tickAsync(300);
      expect(starts).to.deep.equal([100, 200, 300]);
    });

    it('should schedule nothing after a pending promise once stopped', async () => {
      const spy = sinon.spy(() => new Promise((resolve) => setTimeout(resolve, 50)));
      const pc = track(new PeriodicCallback(spy, 100)).start();
      await clock.tickAsync(110);
      pc.stop();
      await clock.tickAsync(1000);
      expect(spy.callCount).to.equal(1);
      expect(clock.countTimers()).to.equal(0);
    });
  });
});
