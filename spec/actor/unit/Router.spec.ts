/**
 * Unit specs of the arbiter's Router on a fake hub: no process, no socket.
 */
import type { Socket } from 'node:net';
import { expect } from 'chai';
import type { Actor } from '../../../lib/actor/Actor.js';
import type { Hub } from '../../../lib/transport/Hub.js';
import type { Envelope, Request } from '../../../lib/transport/protocol.js';
import { Router, type Child } from '../../../lib/arbiter/Router.js';
import { ActorExitedError } from '../../../lib/errors.js';

class FakeActor {
  readonly received: Envelope[] = [];
  constructor(
    readonly aid: string,
    readonly name: string,
  ) {}
  receive(env: Envelope): void {
    this.received.push(env);
  }
}

function setup() {
  const sent: [Socket, Envelope][] = [];
  const rejected: [Socket, string][] = [];
  const hub = {
    send: (socket: Socket, env: Envelope) => sent.push([socket, env]),
    reject: (socket: Socket, reason: string) => rejected.push([socket, reason]),
  } as unknown as Hub;
  const self = new FakeActor('arb1', 'arbiter');
  const monitor = new FakeActor('mon1', 'web');
  const children = new Map<string, Child>();
  const local = new Map<string, Actor>([
    ['arb1', self as unknown as Actor],
    ['mon1', monitor as unknown as Actor],
  ]);
  const named = new Map([['web', monitor]]);
  const router = new Router(self as unknown as Actor, hub, children, local, named);
  const addChild = (aid: string, name: string): Child => {
    const child = {
      proxy: { aid, name },
      deferred: {},
      exitTimeout: 1000,
      ready: false,
      forwarded: new Map(),
    } as unknown as Child;
    children.set(aid, child);
    return child;
  };
  return { router, sent, rejected, self, monitor, children, addChild };
}

const socketOf = (name: string): Socket => ({ name }) as unknown as Socket;
const handshake = (aid: string): Request => ({
  id: 1,
  from: aid,
  to: 'arbiter',
  cmd: 'notify',
  args: [{ aid }],
  ack: false,
});
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Router', () => {
  describe('resolve()', () => {
    it('should resolve the arbiter, monitors and children by aid or name', () => {
      const { router, addChild } = setup();
      addChild('w1', 'worker');
      expect(router.resolve('arbiter')).to.equal('arb1');
      expect(router.resolve('arb1')).to.equal('arb1');
      expect(router.resolve('web')).to.equal('mon1');
      expect(router.resolve('worker')).to.equal('w1');
      expect(router.resolve('w1')).to.equal('w1');
      expect(router.resolve('nobody')).to.equal(undefined);
    });
  });

  describe('deliver()', () => {
    it('should hand an envelope for a local actor to it on a later microtask', async () => {
      const { router, monitor } = setup();
      router.deliver({ id: 1, from: 'arb1', to: 'mon1', cmd: 'ping', args: [], ack: true });
      expect(monitor.received).to.have.length(0);
      await tick();
      expect(monitor.received).to.have.length(1);
    });

    it("should write an envelope for a child to the child's socket", () => {
      const { router, sent, addChild } = setup();
      const socket = socketOf('w1');
      addChild('w1', 'worker').link = router.linkOf(socket);
      router.deliver({ id: 1, from: 'mon1', to: 'w1', cmd: 'ping', args: [], ack: true });
      expect(sent).to.have.length(1);
      expect(sent[0]![0]).to.equal(socket);
    });

    it('should answer ActorNotFoundError to the local sender of a request to nobody', async () => {
      const { router, monitor } = setup();
      router.deliver({ id: 7, from: 'mon1', to: 'ghost', cmd: 'ping', args: [], ack: true });
      await tick();
      expect(monitor.received[0]).to.include({ id: 7, ok: false });
      expect(monitor.received[0]).to.have.nested.property('error.code', 'RXP_ERR_ACTOR_NOT_FOUND');
    });
  });

  describe('route()', () => {
    it('should reject a connection whose first message is not the handshake of a spawning actor', () => {
      const { router, rejected } = setup();
      const socket = socketOf('x');
      router.route(router.linkOf(socket), [
        { id: 1, from: 'w9', to: 'arbiter', cmd: 'ping', args: [], ack: true },
      ]);
      expect(rejected).to.have.length(1);
      expect(rejected[0]![1]).to.contain('handshake');
    });

    it('should bind a connection at the handshake and refuse a spoofed sender after it', () => {
      const { router, rejected, self, addChild } = setup();
      const child = addChild('w1', 'worker');
      const socket = socketOf('w1');
      router.route(router.linkOf(socket), [handshake('w1')]);
      expect(child.link).to.equal(router.linkOf(socket));
      expect(self.received).to.have.length(1);
      router.route(router.linkOf(socket), [
        { id: 2, from: 'w2', to: 'arbiter', cmd: 'ping', args: [], ack: true },
      ]);
      expect(rejected[0]![1]).to.contain('claims to be from w2');
    });

    it('should forward a request to a child by name, remember it until the reply, and fail it if the child exits', () => {
      const { router, sent, addChild } = setup();
      const a = addChild('wa', 'alpha');
      const b = addChild('wb', 'beta');
      const [sa, sb] = [socketOf('wa'), socketOf('wb')];
      router.route(router.linkOf(sa), [handshake('wa')]);
      router.route(router.linkOf(sb), [handshake('wb')]);
      router.route(router.linkOf(sa), [
        { id: 5, from: 'wa', to: 'beta', cmd: 'ping', args: [], ack: true },
      ]);
      expect(sent.at(-1)![0]).to.equal(sb);
      expect(sent.at(-1)![1]).to.include({ to: 'wb' });
      expect(b.forwarded.size).to.equal(1);
      router.failForwarded(b, new ActorExitedError('beta exited'));
      expect(sent.at(-1)![0]).to.equal(sa);
      expect(sent.at(-1)![1]).to.include({ id: 5, ok: false, to: 'wa' });
      router.route(router.linkOf(sb), [{ id: 5, from: 'wb', to: 'wa', ok: true, value: 'pong' }]);
      expect(b.forwarded.size).to.equal(0);
      expect(a.forwarded.size).to.equal(0);
    });

    it('should answer ActorNotFoundError on the connection of a request to nobody', () => {
      const { router, sent, addChild } = setup();
      addChild('wa', 'alpha');
      const sa = socketOf('wa');
      router.route(router.linkOf(sa), [handshake('wa')]);
      router.route(router.linkOf(sa), [
        { id: 3, from: 'wa', to: 'ghost', cmd: 'ping', args: [], ack: true },
      ]);
      expect(sent.at(-1)![0]).to.equal(sa);
      expect(sent.at(-1)![1]).to.have.nested.property('error.code', 'RXP_ERR_ACTOR_NOT_FOUND');
    });
  });
});
