import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { expect } from 'chai';
import sinon from 'sinon';
import { InvalidStateError } from '../../lib/errors.js';
import { IOLoop } from '../../lib/eventloop/IOLoop.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import { LoopTracker } from '../support/eventloop.js';

describe('IOLoop', () => {
  const loops = new LoopTracker();
  afterEach(() => loops.stopAll());

  describe('addHandler()', () => {
    it('should call the handler with the event name and its arguments', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const handler = sinon.spy();
      loop.addHandler(source, handler, ['data', 'close']);
      source.emit('data', 'a', 1);
      source.emit('close');
      source.emit('other', 'ignored');
      expect(handler.args).to.deep.equal([['data', 'a', 1], ['close']]);
    });

    it('should count handler events as iterations while running', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      loop.start();
      loop.addHandler(source, () => undefined, ['data']);
      source.emit('data');
      source.emit('data');
      expect(loop.numLoops).to.equal(1);
    });

    it('should throw InvalidStateError when the source already has a handler', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      loop.addHandler(source, () => undefined, ['data']);
      expect(() => loop.addHandler(source, () => undefined, ['close'])).to.throw(
        InvalidStateError,
        /updateHandler/,
      );
    });

    it('should return a handle whose unsubscribe() removes the handler', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const handle = loop.addHandler(source, () => undefined, ['data', 'end']);
      handle.unsubscribe();
      expect(source.eventNames()).to.deep.equal([]);
    });

    it('should log a handler that throws and keep listening', () => {
      const logs = captureLogs();
      try {
        const loop = loops.track(new IOLoop());
        const source = new EventEmitter();
        let calls = 0;
        loop.addHandler(source, () => {
          calls += 1;
          throw new Error('handler boom');
        }, ['data']);
        source.emit('data');
        source.emit('data');
        expect(calls).to.equal(2);
        expect(logs.records.map((r) => r.message)).to.deep.equal([
          "handler of 'data' failed: Error: handler boom",
          "handler of 'data' failed: Error: handler boom",
        ]);
      } finally {
        logs.restore();
      }
    });

    it('should serve the connections of a real server', async () => {
      const loop = loops.track(new IOLoop());
      const server = createServer();
      const sockets: Socket[] = [];
      try {
        loop.start();
        const connected = new Promise<void>((resolve) => {
          loop.addHandler(
            server,
            (event, socket) => {
              expect(event).to.equal('connection');
              sockets.push(socket as Socket);
              resolve();
            },
            ['connection'],
          );
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const address = server.address();
        if (address === null || typeof address === 'string') throw new Error('no port');
        const client = createConnection(address.port, '127.0.0.1');
        sockets.push(client);
        await connected;
        expect(loop.numLoops).to.be.greaterThan(0);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('updateHandler()', () => {
    it('should listen to the new events only, keeping the listeners of kept ones', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const handler = sinon.spy();
      loop.addHandler(source, handler, ['data', 'close']);
      const [kept] = source.listeners('close');
      loop.updateHandler(source, ['close', 'error']);
      expect(source.eventNames()).to.have.members(['close', 'error']);
      expect(source.listeners('close')).to.deep.equal([kept]);
      source.emit('data', 1);
      source.emit('error', new Error('e'));
      expect(handler.args.map((a) => a[0] as string)).to.deep.equal(['error']);
    });

    it('should pause the handler with no events', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      loop.addHandler(source, () => undefined, ['data']);
      loop.updateHandler(source, []);
      expect(source.eventNames()).to.deep.equal([]);
      loop.updateHandler(source, ['data']);
      expect(source.listenerCount('data')).to.equal(1);
    });

    it('should throw InvalidStateError for a source without a handler', () => {
      const loop = loops.track(new IOLoop());
      expect(() => loop.updateHandler(new EventEmitter(), ['data'])).to.throw(
        InvalidStateError,
        /addHandler/,
      );
    });
  });

  describe('removeHandler()', () => {
    it('should detach every listener of the source', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      const handler = sinon.spy();
      loop.addHandler(source, handler, ['data', 'close', 'end']);
      loop.removeHandler(source);
      expect(source.eventNames()).to.deep.equal([]);
      source.emit('data');
      expect(handler.called).to.equal(false);
    });

    it('should let the source take a new handler', () => {
      const loop = loops.track(new IOLoop());
      const source = new EventEmitter();
      loop.addHandler(source, () => undefined, ['data']);
      loop.removeHandler(source);
      expect(() => loop.addHandler(source, () => undefined, ['data'])).not.to.throw();
    });

    it('should be a no-op for a source without a handler', () => {
      const loop = loops.track(new IOLoop());
      expect(() => loop.removeHandler(new EventEmitter())).not.to.throw();
    });

    it('should be done for every source by stop()', () => {
      const loop = loops.track(new IOLoop());
      const sources = [new EventEmitter(), new EventEmitter()];
      loop.start();
      for (const source of sources) loop.addHandler(source, () => undefined, ['data', 'end']);
      loop.stop();
      expect(sources.map((s) => s.eventNames().length)).to.deep.equal([0, 0]);
    });
  });
});
