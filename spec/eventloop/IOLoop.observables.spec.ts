import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { take, toArray } from 'rxjs';
import sinon from 'sinon';
import { IOLoop } from '../../lib/eventloop/IOLoop.js';
import { LoopTracker } from '../support/eventloop.js';
import { sleep, waitFor } from '../support/waiting.js';

describe('IOLoop', () => {
  const loops = new LoopTracker();
  afterEach(() => loops.stopAll());

  describe('fromEvent()', () => {
    it('should emit the events and complete when the loop stops', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const values: unknown[] = [];
      let completed = false;
      loop.start();
      loop.fromEvent<number>(source, 'data').subscribe({
        next: (v) => values.push(v),
        complete: () => (completed = true),
      });
      source.emit('data', 1);
      source.emit('data', 2, 3);
      loop.stop();
      expect(values).to.deep.equal([1, [2, 3]]);
      expect(completed).to.equal(true);
      expect(source.listenerCount('data')).to.equal(0);
    });

    it('should remove its listener on unsubscribe', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const subscription = loop.fromEvent(source, 'data').subscribe();
      expect(source.listenerCount('data')).to.equal(1);
      subscription.unsubscribe();
      expect(source.listenerCount('data')).to.equal(0);
    });

    it('should complete at once when subscribed after the loop stopped', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const events = loop.fromEvent(source, 'data');
      loop.stop();
      let completed = false;
      events.subscribe({ complete: () => (completed = true) });
      expect(completed).to.equal(true);
      expect(source.listenerCount('data')).to.equal(0);
    });
  });

  describe('timer()', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it('should emit 0 after the delay and complete, with fake timers', () => {
      const loop = loops.track(new IOLoop());
      const values: number[] = [];
      let completed = false;
      loop.start();
      loop
        .timer(100)
        .subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
      clock.tick(99);
      expect(values).to.deep.equal([]);
      clock.tick(1);
      expect(values).to.deep.equal([0]);
      expect(completed).to.equal(true);
      expect(loop.numLoops).to.equal(1);
    });

    it('should complete without emitting when the loop stops first', () => {
      const loop = loops.track(new IOLoop());
      const next = sinon.spy();
      let completed = false;
      loop.timer(100).subscribe({ next, complete: () => (completed = true) });
      loop.stop();
      expect(completed).to.equal(true);
      expect(clock.countTimers()).to.equal(0);
      clock.tick(200);
      expect(next.called).to.equal(false);
    });
  });

  describe('interval()', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers();
    });
    afterEach(() => clock.restore());

    it('should emit 0, 1, 2… every period, with fake timers', () => {
      const loop = loops.track(new IOLoop());
      const values: number[] = [];
      loop.start();
      loop.interval(50).subscribe((v) => values.push(v));
      clock.tick(160);
      expect(values).to.deep.equal([0, 1, 2]);
      expect(loop.numLoops).to.equal(3);
    });

    it('should complete and clear its timer when the loop stops', () => {
      const loop = loops.track(new IOLoop());
      let completed = false;
      loop.interval(50).subscribe({ complete: () => (completed = true) });
      expect(clock.countTimers()).to.equal(1);
      loop.stop();
      expect(completed).to.equal(true);
      expect(clock.countTimers()).to.equal(0);
    });
  });

  describe('signal()', () => {
    it('should add a process listener while subscribed and remove it on unsubscribe', () => {
      const loop = loops.track(new IOLoop());
      const before = process.listenerCount('SIGUSR2');
      const subscription = loop.signal('SIGUSR2').subscribe();
      expect(process.listenerCount('SIGUSR2')).to.equal(before + 1);
      subscription.unsubscribe();
      expect(process.listenerCount('SIGUSR2')).to.equal(before);
    });

    it('should emit the signal name when the process receives it', async () => {
      const loop = loops.track(new IOLoop());
      const received: string[] = [];
      loop.start();
      loop.signal('SIGUSR2').subscribe((name) => received.push(name));
      process.kill(process.pid, 'SIGUSR2');
      await waitFor(() => received.length > 0);
      expect(received).to.deep.equal(['SIGUSR2']);
    });

    it('should remove its listener and complete when the loop stops', () => {
      const loop = loops.track(new IOLoop());
      const before = process.listenerCount('SIGHUP');
      let completed = false;
      loop.signal('SIGHUP').subscribe({ complete: () => (completed = true) });
      loop.stop();
      expect(completed).to.equal(true);
      expect(process.listenerCount('SIGHUP')).to.equal(before);
    });
  });

  describe('iterations$', () => {
    it('should emit the iteration count on every iteration while subscribed', async () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      const counts = await new Promise<number[]>((resolve) => {
        loop.iterations$.pipe(take(5), toArray()).subscribe(resolve);
      });
      expect(counts).to.deep.equal([1, 2, 3, 4, 5]);
      expect(loop.numLoops).to.equal(5);
    });

    it('should stop driving iterations once unsubscribed', async () => {
      const loop = loops.track(new IOLoop());
      loop.start();
      const subscription = loop.iterations$.subscribe();
      await waitFor(() => loop.numLoops > 3);
      subscription.unsubscribe();
      await sleep(5);
      const settled = loop.numLoops;
      await sleep(20);
      expect(loop.numLoops).to.equal(settled);
    });

    it('should emit nothing before start() and begin when the loop starts', async () => {
      const loop = loops.track(new IOLoop());
      const counts: number[] = [];
      loop.iterations$.pipe(take(2)).subscribe((n) => counts.push(n));
      await sleep(10);
      expect(counts).to.deep.equal([]);
      loop.start();
      await waitFor(() => counts.length === 2);
      expect(counts).to.deep.equal([1, 2]);
    });

    it('should complete when the loop stops', () => {
      const loop = loops.track(new IOLoop());
      let completed = false;
      loop.start();
      loop.iterations$.subscribe({ complete: () => (completed = true) });
      loop.stop();
      expect(completed).to.equal(true);
    });
  });
});
