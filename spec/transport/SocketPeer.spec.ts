/**
 * A direct connection between two process actors is a socket like the
 * hub's: its peer is not trusted. Real Unix sockets, made as the arbiter
 * makes them (socketPair), one end wrapped, the other written to by hand.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketPair } from '../../lib/arbiter/socketPair.js';
import { SocketPeer } from '../../lib/transport/SocketPeer.js';
import { tokenFrame, type Envelope } from '../../lib/transport/protocol.js';
import { within } from '../support/waiting.js';
import { frames as frame, wireReader } from '../support/wire.js';

const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const request = (over: Partial<Envelope> = {}): Envelope => ({
  id: 1,
  from: 'peer-a',
  to: 'self-b',
  cmd: 'echo',
  args: ['hi'],
  ack: true,
  ...over,
});

describe('SocketPeer', function () {
  this.timeout(10_000);
  let dir: string;
  let writer: Socket;
  let peer: SocketPeer;
  let received: Envelope[];
  let closed: Promise<string | undefined>;

  async function connect(greeting = tokenFrame(TOKEN), maxMessageSize = 4096): Promise<void> {
    const [one, other] = await socketPair(dir, greeting);
    writer = one;
    writer.on('error', () => undefined);
    received = [];
    closed = new Promise((resolve) => {
      peer = new SocketPeer(other, {
        self: 'self-b',
        peer: 'peer-a',
        maxMessageSize,
        token: TOKEN,
        onEnvelope: (env) => received.push(env),
        onClose: resolve,
      });
    });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxpulsar-peer-'));
  });

  afterEach(async () => {
    writer.destroy();
    peer.close();
    await within(closed, 5_000, 'the peer did not close');
    rmSync(dir, { recursive: true, force: true });
  });

  describe('open()', () => {
    it('should read nothing before open(), then every envelope in order', async () => {
      await connect();
      writer.write(frame(request({ id: 1 }), request({ id: 2 })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).to.deep.equal([]);
      peer.open();
      writer.write(frame(request({ id: 3 })));
      const deadline = Date.now() + 5_000;
      while (received.length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(received.map((env) => env.id)).to.deep.equal([1, 2, 3]);
    });
  });

  describe('send()', () => {
    it('should write the envelopes of one tick in one write, names as slots once defined', async () => {
      await connect();
      let text = '';
      writer.setEncoding('utf8');
      writer.on('data', (chunk: string) => (text += chunk));
      writer.resume(); // socketPair leaves both ends unread
      peer.send(request({ id: 7, from: 'self-b', to: 'peer-a' }));
      peer.send(request({ id: 8, from: 'self-b', to: 'peer-a' }));
      const deadline = Date.now() + 5_000;
      while (text.split('\f').length < 6 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // Three slot definitions (from, to, cmd), then the two requests.
      expect(text.split('\f').map((f) => f[0])).to.deep.equal(['s', 's', 's', 'q', 'q', undefined]);
      expect(text.split('\f')[4]).to.equal("q8,0,1,2,'hi");
      expect(wireReader()(text).map((env) => env.id)).to.deep.equal([7, 8]);
    });
  });

  describe('hostile input', () => {
    const cases: [string, () => string, RegExp, string?][] = [
      ['a connection without the token', () => frame(request()), /token/, tokenFrame('nope')],
      ['a second token', () => tokenFrame(TOKEN), /token/],
      ['bytes that are not a frame', () => 'hello\f', /malformed frame/],
      ['an envelope claiming another sender', () => frame(request({ from: 'x' })), /claims/],
      ['an envelope for another actor', () => frame(request({ to: 'x' })), /addressed to x/],
      ['an envelope of the wrong shape', () => 'q1,"peer-a"\f', /from\/to/],
      ['a frame over maxMessageSize', () => frame(request({ args: ['x'.repeat(5000)] })), /over/],
    ];
    for (const [what, bytes, reason, greeting] of cases) {
      it(`should drop the connection on ${what}, and say why`, async () => {
        await connect(greeting);
        peer.open();
        writer.write(bytes());
        expect(await within(closed, 5_000, 'no drop')).to.match(reason);
        expect(received).to.deep.equal([]);
        expect(peer.closed).to.equal(true);
      });
    }

    it('should report a plain close (the peer exited) without a reason', async () => {
      await connect();
      peer.open();
      writer.end();
      expect(await within(closed, 5_000, 'no close')).to.equal(undefined);
    });
  });
});
