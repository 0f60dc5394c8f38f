/**
 * Thread actors talk to the arbiter over a MessagePort of their own
 * (PortLink), not the hub's socket: requests, replies, errors, binary
 * data, deaths, actor to actor and the size limit, end to end.
 */
import { Buffer } from 'node:buffer';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { expect } from 'chai';
import {
  ActorExitedError,
  arbiter,
  MessageTooLargeError,
  send,
  spawn,
  type Actor,
  type ActorProxy,
  type Arbiter,
} from '../../lib/index.js';
import { PortLink } from '../../lib/transport/PortLink.js';
import type { Envelope } from '../../lib/transport/protocol.js';
import { within, rejection } from '../support/waiting.js';

const MAX = 64 * 1024;

const commands = {
  fail: () => {
    const err = new RangeError('out of range');
    Object.assign(err, { code: 'E_RANGE' });
    throw err;
  },
  hang: (self: Actor) => {
    self.extra['hangs'] = Number(self.extra['hangs'] ?? 0) + 1;
    return new Promise(() => undefined);
  },
  length: (_actor: Actor, data: Uint8Array) => data.byteLength,
};

describe('PortLink', () => {
  describe('a thread actor', function () {
    this.timeout(30_000);
    let a: Arbiter;
    let thread: ActorProxy;
    let other: ActorProxy;

    before(async () => {
      // Long deadlines: a request that fails did so because of a death, not a timeout.
      a = arbiter({ maxMessageSize: MAX, requestTimeout: 20_000 });
      await a.start();
      [thread, other] = await Promise.all([
        spawn({ name: 'port-thread', concurrency: 'thread', commands }),
        spawn({ name: 'port-other', concurrency: 'thread', commands }),
      ]);
    });

    after(async () => {
      await a.stop();
    });

    it('should answer requests without a hub connection', async () => {
      const connections = (a as unknown as { hubs: { hub: { connections: number } } }).hubs.hub
        .connections;
      expect(await send(thread, 'echo', { n: 1, s: 'x' })).to.deep.equal({ n: 1, s: 'x' });
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) => send(thread, 'echo', i)),
      );
      expect(replies).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
      expect(connections).to.equal(0);
    });

    it('should carry an error with its class, message and code', async () => {
      const err = await rejection(send(thread, 'fail'));
      expect(err).to.be.instanceOf(RangeError);
      expect(err.message).to.equal('out of range');
      expect(err).to.have.property('code', 'E_RANGE');
    });

    it('should carry Buffers and typed arrays both ways', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const back = await send(thread, 'echo', bytes);
      expect(Buffer.isBuffer(back)).to.equal(true);
      expect(back).to.deep.equal(bytes);
      expect(await send(thread, 'length', new Uint8Array(1000))).to.equal(1000);
      const floats = (await send(thread, 'echo', new Float64Array([1.5, -2]))) as Float64Array;
      expect([...floats]).to.deep.equal([1.5, -2]);
    });

    it('should carry bytes as transferred ArrayBuffers, not base64, and in base64 to a process', async () => {
      // What the thread's reply looks like on its port: the bytes in an ArrayBuffer.
      const seen: unknown[] = [];
      const children = (a as unknown as { table: { children: Map<string, { link?: unknown }> } })
        .table.children;
      const link = children.get(thread.aid)?.link as { port: MessagePort };
      const spy = (data: unknown): void => {
        seen.push(data);
      };
      link.port.on('message', spy);
      try {
        const bytes = Buffer.alloc(16 * 1024, 7);
        expect(await send(thread, 'echo', bytes)).to.deep.equal(bytes);
      } finally {
        link.port.off('message', spy);
      }
      const reply = seen.find((data) => Array.isArray(data) && data[3] === true) as unknown[];
      expect(reply[4]).to.have.property('v').that.is.instanceOf(ArrayBuffer);
      // Forwarded by the arbiter to a process actor, the bytes become base64 on the socket.
      const proc = await spawn({ name: 'port-process', concurrency: 'process', commands });
      try {
        const fromThread = await send(
          thread,
          'run',
          async (self: Actor, aid: string) => {
            const back = (await self.send(
              aid,
              'echo',
              new Float64Array([1.5, -2]),
            )) as Float64Array;
            return [await self.send(aid, 'length', new Uint8Array(300)), [...back]];
          },
          proc.aid,
        );
        expect(fromThread).to.deep.equal([300, [1.5, -2]]);
      } finally {
        await proc.stop();
      }
    });

    it('should let two thread actors talk, by aid and by name', async () => {
      const outcome = await send(
        thread,
        'run',
        async (self: Actor, aid: string) => [
          await self.send(aid, 'echo', 'by aid'),
          await self.send('port-other', 'ping'),
        ],
        other.aid,
      );
      expect(outcome).to.deep.equal(['by aid', 'pong']);
    });

    it('should fail a request over maxMessageSize at its sender, both ways', async () => {
      expect(await rejection(send(thread, 'echo', 'y'.repeat(2 * MAX)))).to.be.instanceOf(
        MessageTooLargeError,
      );
      const reply = await rejection(send(thread, 'run', () => 'z'.repeat(2 * 65536)));
      expect(reply).to.be.instanceOf(MessageTooLargeError);
      const fromThread = await send(
        thread,
        'run',
        (self: Actor, aid: string) =>
          self.send(aid, 'echo', 'w'.repeat(2 * 65536)).then(
            () => 'sent',
            (err: unknown) => (err as Error).name,
          ),
        other.aid,
      );
      expect(fromThread).to.equal('MessageTooLargeError');
      expect(await send(thread, 'echo', 'small')).to.equal('small');
    });

    it('should fail requests at once with ActorExitedError when the thread dies mid-request', async () => {
      const victim = await spawn({ name: 'port-victim', concurrency: 'thread', commands });
      const fromArbiter = send(victim, 'hang');
      const fromThread = send(
        thread,
        'run',
        (self: Actor, aid: string) =>
          self.send(aid, 'hang').then(
            () => 'answered',
            (err: unknown) => (err as Error).name,
          ),
        victim.aid,
      );
      // Both requests reached the victim (not a fixed wait: a busy machine
      // may take longer, and a request sent after the death fails otherwise).
      const deadline = Date.now() + 10_000;
      while ((await send(victim, 'run', (self: Actor) => self.extra['hangs'])) !== 2) {
        if (Date.now() > deadline) throw new Error('the hangs did not reach the victim');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      victim.worker?.kill('SIGKILL');
      const err = await within(rejection(fromArbiter), 5_000, 'the request did not fail');
      expect(err).to.be.instanceOf(ActorExitedError);
      expect(await within(fromThread, 5_000, 'the forwarded request did not fail')).to.equal(
        'ActorExitedError',
      );
      expect(await send(thread, 'ping')).to.equal('pong');
    });
  });

  describe('readPending()', () => {
    it('should hand over at once what the peer posted and was not read yet', () => {
      const { port1, port2 } = new MessageChannel();
      const batches: Envelope[][] = [];
      const link = new PortLink(port1, (batch) => batches.push(batch));
      const reply: Envelope = { id: 1, from: 'b', to: 'a', ok: true, value: 'last words' };
      const peer = new PortLink(port2, () => undefined);
      peer.send(reply);
      peer.close(); // posts what is queued, then closes: the thread exits
      expect(batches).to.deep.equal([]);
      link.readPending();
      expect(batches).to.deep.equal([[reply]]);
      link.close();
    });
  });

  describe('send()', () => {
    it('should post the envelopes of one tick as one message, and refuse one over the limit', async () => {
      const { port1, port2 } = new MessageChannel();
      const batches: Envelope[][] = [];
      const got = new Promise<void>((resolve) => {
        port2.on('message', () => undefined);
        const receiver = new PortLink(port2, (batch) => {
          batches.push(batch);
          resolve();
        });
        receiver.closed$.subscribe(() => undefined);
      });
      const link = new PortLink(port1, () => undefined, { maxMessageSize: 200 });
      const env = (id: number, arg: unknown): Envelope => ({
        id,
        from: 'a',
        to: 'b',
        cmd: 'echo',
        args: [arg],
        ack: true,
      });
      link.send(env(1, 'x'));
      link.send({ id: 2, from: 'a', to: 'b', ok: false, error: { name: 'E', message: 'm' } });
      expect(() => link.send(env(3, 'x'.repeat(300)))).to.throw(MessageTooLargeError);
      await got;
      expect(batches).to.have.length(1);
      expect(batches[0]).to.deep.equal([
        env(1, 'x'),
        { id: 2, from: 'a', to: 'b', ok: false, error: { name: 'E', message: 'm' } },
      ]);
      link.close();
      expect(link.closed).to.equal(true);
    });

    it('should post large envelopes of one tick as they reach 64 KB, not in one message', async () => {
      const { port1, port2 } = new MessageChannel();
      const batches: Envelope[][] = [];
      const all = new Promise<void>((resolve) => {
        const receiver = new PortLink(port2, (batch) => {
          batches.push(batch);
          if (batches.flat().length === 5) resolve();
        });
        receiver.closed$.subscribe(() => undefined);
      });
      const link = new PortLink(port1, () => undefined, { maxMessageSize: 1 << 20 });
      const env = (id: number, chars: number): Envelope => ({
        id,
        from: 'a',
        to: 'b',
        cmd: 'echo',
        args: ['x'.repeat(chars)],
        ack: true,
      });
      try {
        // 40 KB each: the second brings the batch past 64 KB, and so on.
        for (let id = 1; id <= 4; id++) link.send(env(id, 40 * 1024));
        link.send(env(5, 16)); // the tick's end posts the rest
        await all;
        expect(batches.map((batch) => batch.map((e) => e.id))).to.deep.equal([[1, 2], [3, 4], [5]]);
      } finally {
        link.close();
      }
    });
  });
});
