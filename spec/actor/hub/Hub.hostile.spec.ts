/**
 * The hub faces any local peer that can open its socket. Whatever bytes such
 * a peer writes, the hub must drop that connection, say why in a warning,
 * and keep serving the arbiter and every other actor.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { arbiter, captureLogs, spawn, send } from '../../../lib/index.js';
import type { ActorProxy, Arbiter, LogCapture } from '../../../lib/index.js';
import { REJECT_BURST_MS } from '../../../lib/log/BurstLog.js';
import { HANDSHAKE_SIZE } from '../../../lib/transport/Hub.js';
import { InvalidStateError } from '../../../lib/index.js';
import { within } from '../../support/waiting.js';

type Bytes = string | Buffer;

const KIB = 1024;
const MAX_MESSAGE_SIZE = 64 * KIB;
/** How long the hub has to drop a hostile peer before the test fails. */
const CLOSE_WITHIN_MS = 3000;
const PREFIX = '{"type":"m","data":[';
/** The reason given for a frame that is not a proper batch. */
const BAD_FRAME = /frame|batch/;

/** One rxpulsar frame: a batch of envelopes. */
const frame = (...envelopes: unknown[]): string =>
  `${JSON.stringify({ type: 'm', data: envelopes })}\f`;

/** A frame that starts right but whose duplicate `type` key renames the event. */
const renamed = (event: string): string => `${PREFIX}],"type":${JSON.stringify(event)}}\f`;

const request = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 1,
  from: 'intruder',
  to: 'arbiter',
  cmd: 'ping',
  args: [],
  ack: true,
  ...fields,
});

describe('Hub', () => {
  describe('hostile input', function () {
    this.timeout(15_000);
    let a: Arbiter;
    let processActor: ActorProxy;
    let threadActor: ActorProxy;
    let logs: LogCapture;
    const sockets = new Set<Socket>();
    const payload = { text: 'p'.repeat(16 * KIB), list: Array.from({ length: 500 }, (_, i) => i) };

    /** A raw connection to the hub, destroyed after the test whatever happens. */
    async function open(): Promise<{ socket: Socket; closed: Promise<void> }> {
      const path = a.hubPath;
      if (path === undefined) throw new Error('the hub is not listening');
      const socket = connect(path);
      sockets.add(socket);
      socket.on('error', () => undefined); // EPIPE / ECONNRESET once the hub drops us
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await within(
        new Promise<void>((resolve) => socket.once('connect', () => resolve())),
        CLOSE_WITHIN_MS,
        'could not connect to the hub',
      );
      return { socket, closed };
    }

    /** Write the chunks one by one, each in its own turn of the event loop. */
    async function writeChunks(socket: Socket, chunks: Bytes[]): Promise<void> {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        await tick();
      }
    }

    /**
     * The hub's line about each dropped peer: a warning for the first of a
     * burst, `debug` for the others (a summary warning ends the burst).
     */
    const disconnections = (): string[] =>
      logs.records
        .filter((r) => r.message.startsWith('disconnecting a peer: '))
        .map((r) => r.message);

    /** The arbiter and both actors answer, directly and through the hub. */
    async function expectHealthy(): Promise<void> {
      expect(await send('arbiter', 'ping')).to.equal('pong');
      expect(await send(processActor, 'ping')).to.equal('pong');
      expect(await send(threadActor, 'ping')).to.equal('pong');
      expect(await send(processActor, 'echo', payload)).to.deep.equal(payload);
      expect(await send(threadActor, 'echo', payload)).to.deep.equal(payload);
      const viaHub = await send(processActor, 'run', (actor: { send(...a: unknown[]): unknown }) =>
        actor.send('hostile-thread', 'echo', 'process to thread'),
      );
      expect(viaHub).to.equal('process to thread');
    }

    /**
     * Send `bytes` (chunks are written one by one) on a fresh connection and
     * expect the hub to close it, to log `reason`, and to go on serving.
     */
    async function expectRejected(bytes: Bytes | Bytes[], reason: RegExp): Promise<void> {
      const { socket, closed } = await open();
      await writeChunks(socket, Array.isArray(bytes) ? bytes : [bytes]);
      await within(closed, CLOSE_WITHIN_MS, 'the hub did not close the connection');
      expect(disconnections().some((m) => reason.test(m))).to.equal(
        true,
        `no warning matching ${String(reason)} in ${JSON.stringify(disconnections())}`,
      );
      await expectHealthy();
    }

    before(async function () {
      this.timeout(30_000);
      a = arbiter({ maxMessageSize: MAX_MESSAGE_SIZE });
      await a.start();
      [processActor, threadActor] = await Promise.all([
        spawn({ name: 'hostile-process', concurrency: 'process' }),
        spawn({ name: 'hostile-thread', concurrency: 'thread' }),
      ]);
    });

    after(async function () {
      this.timeout(30_000);
      await a.stop();
    });

    beforeEach(() => {
      logs = captureLogs('debug');
    });

    afterEach(() => {
      logs.restore();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });

    it('should serve the arbiter and its actors before any hostile peer', async () => {
      await expectHealthy();
    });

    describe('bytes that are not an rxpulsar frame', () => {
      const garbage = randomBytes(4 * KIB);
      garbage[0] = 0; // never the first byte of a frame
      for (let i = 1; i < garbage.length; i += 97) garbage[i] = 0x0c; // '\f' all over

      const cases: [string, Bytes, RegExp][] = [
        ['text that is not JSON', 'hello\f', /malformed frame/],
        ['binary garbage full of delimiters', garbage, /malformed frame/],
        ['an empty frame', '\f', /truncated frame/],
        ['a JSON array', '[1,2,3]\f', /malformed frame/],
        ['JSON null', 'null\f', /malformed frame/],
        ['a JSON number', '42\f', /malformed frame/],
        ['a JSON string', '"m"\f', /malformed frame/],
        ['a JSON object spaced differently', '{ "type": "m", "data": [] }\f', /malformed frame/],
        ['an event named __proto__', '{"type":"__proto__","data":{}}\f', /malformed frame/],
        ['an event named constructor', '{"type":"constructor","data":{}}\f', /malformed frame/],
        ['an event named hasOwnProperty', '{"type":"hasOwnProperty","data":{}}\f', /malformed/],
        ['an event named toString', '{"type":"toString","data":{}}\f', /malformed frame/],
        ['an event named connect', '{"type":"connect","data":{}}\f', /malformed frame/],
        ['a prefix cut short by the delimiter', '{"type":"m"\f', /truncated frame/],
      ];
      for (const [what, bytes, reason] of cases) {
        it(`should disconnect a peer that sends ${what}`, () => expectRejected(bytes, reason));
      }
    });

    describe('frames with the right prefix', () => {
      const cases: [string, string, RegExp][] = [
        ['invalid JSON after the prefix', `${PREFIX}nope]}\f`, /unreadable frame/],
        ['a frame that ends after the prefix', `${PREFIX}\f`, /unreadable frame/],
        // A duplicate key overrides what the prefix promised. Whichever layer
        // notices (node-ipc throwing, the batch check), the reason is about the frame.
        ['a duplicate type key naming __proto__', renamed('__proto__'), BAD_FRAME],
        ['a duplicate type key naming constructor', renamed('constructor'), BAD_FRAME],
        ['a duplicate type key naming hasOwnProperty', renamed('hasOwnProperty'), BAD_FRAME],
        ['a duplicate type key naming toString', renamed('toString'), BAD_FRAME],
        ['a duplicate type key naming connect', renamed('connect'), BAD_FRAME],
        ['a duplicate type key naming error', renamed('error'), BAD_FRAME],
        ['a duplicate type key that is a number', `${PREFIX}],"type":5}\f`, BAD_FRAME],
        ['a duplicate type key that is null', `${PREFIX}],"type":null}\f`, BAD_FRAME],
        // node-ipc's own server events and events nobody listens to must not be reachable either.
        ['a duplicate type key naming start', renamed('start'), BAD_FRAME],
        ['a duplicate type key naming close', renamed('close'), BAD_FRAME],
        [
          'a duplicate type key naming socket.disconnected',
          renamed('socket.disconnected'),
          BAD_FRAME,
        ],
        ['a duplicate type key naming an unknown event', renamed('nobody-listens'), BAD_FRAME],
        ['a duplicate data key that is an object', `${PREFIX}],"data":{"id":"hub"}}\f`, BAD_FRAME],
        ['a duplicate data key that is null', `${PREFIX}],"data":null}\f`, BAD_FRAME],
        ['an envelope that is a number', frame(1), /envelope is not an object/],
        ['an envelope that is null', frame(null), /envelope is not an object/],
        ['an envelope that is an array', frame([request()]), /envelope is not an object/],
        ['an envelope without an id', frame({ ...request(), id: undefined }), /numeric id/],
        ['an envelope with a string id', frame(request({ id: '1' })), /numeric id/],
        ['an envelope without from', frame(request({ from: undefined })), /from\/to/],
        ['an envelope with an object as to', frame(request({ to: {} })), /from\/to/],
        ['a request whose cmd is not a string', frame(request({ cmd: 5 })), /non-string cmd/],
        ['a request whose args is not an array', frame(request({ args: {} })), /args array/],
        ['a request without an ack flag', frame(request({ ack: 'yes' })), /ack flag/],
        [
          'an envelope that is neither request nor reply',
          frame({ id: 1, from: 'x', to: 'y' }),
          /neither/,
        ],
        [
          'an error reply without an error',
          frame({ id: 1, from: 'x', to: 'y', ok: false }),
          /error/,
        ],
        ['an invalid envelope after a valid one', frame(request(), { id: 2 }), /from\/to/],
      ];
      for (const [what, bytes, reason] of cases) {
        it(`should disconnect a peer that sends ${what}`, () => expectRejected(bytes, reason));
      }
    });

    describe('valid envelopes before a handshake', () => {
      it('should disconnect a peer that pings the arbiter first', () =>
        expectRejected(frame(request()), /not the handshake/));

      it('should disconnect a peer that sends a notify for an unknown aid', () =>
        expectRejected(
          frame(request({ cmd: 'notify', args: [{ aid: 'intruder' }], ack: false })),
          /not the handshake/,
        ));

      it('should disconnect a peer that sends a handshake for a connected actor', () =>
        expectRejected(
          frame(
            request({
              from: processActor.aid,
              cmd: 'notify',
              args: [{ aid: processActor.aid }],
              ack: false,
            }),
          ),
          /not the handshake/,
        ));

      it('should disconnect a peer that claims to be the arbiter', () =>
        expectRejected(frame(request({ from: a.aid, to: threadActor.aid })), /not the handshake/));

      it('should disconnect a peer whose first envelope is a reply', () =>
        expectRejected(
          frame({ id: 1, from: processActor.aid, to: a.aid, ok: true, value: 'x' }),
          /not the handshake/,
        ));

      it('should disconnect a peer that sends an empty batch instead of a handshake', () =>
        expectRejected(`${PREFIX}]}\f`, /batch|handshake/));

      it('should not route a request that follows a rejected one in the same frame', () =>
        expectRejected(
          frame(request(), request({ id: 2, to: 'hostile-thread', cmd: 'stop' })),
          /not the handshake/,
        ));
    });

    describe('size limits', () => {
      const big = 200 * KIB;

      it('should disconnect a peer whose frame is over maxMessageSize', () =>
        expectRejected(`${PREFIX}"${'x'.repeat(big)}"]}\f`, /over maxMessageSize/));

      it('should disconnect a peer whose unfinished frame is over maxMessageSize', () =>
        expectRejected(`${PREFIX}"${'x'.repeat(big)}`, /over maxMessageSize/));

      it('should disconnect a peer that streams a frame without end, before it is all sent', async () => {
        const total = 10 * 1024 * KIB;
        const chunk = 'x'.repeat(64 * KIB);
        const { socket, closed } = await open();
        let isClosed = false;
        void closed.then(() => (isClosed = true));
        let written = 0;
        socket.write(PREFIX);
        while (!isClosed && written < total) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            await new Promise<void>((resolve) => {
              socket.once('drain', resolve);
              void closed.then(resolve);
            });
          }
        }
        await within(closed, CLOSE_WITHIN_MS, 'the hub did not close the connection');
        expect(written, 'the hub read the whole stream').to.be.lessThan(total);
        expect(disconnections().some((m) => /over maxMessageSize/.test(m))).to.equal(true);
        await expectHealthy();
      });

      it('should disconnect a peer whose writes never end on a frame boundary', () => {
        // Every frame is small, but no write ends with the delimiter: nothing
        // may pile up past maxMessageSize waiting for one that does.
        const filler = 'y'.repeat(4 * KIB);
        const chunks: string[] = [`${PREFIX}"${filler}`];
        for (let i = 0; i < 64; i++) chunks.push(`"]}\f${PREFIX}"${filler}`);
        return expectRejected(chunks, /envelope is not an object|over maxMessageSize/);
      });

      it('should disconnect a peer whose hostile frame shares a write with the next one', () =>
        expectRejected(frame(request()) + PREFIX, /not the handshake/));
    });

    describe('frames split across writes', () => {
      const splitEvery = (text: string, size: number): string[] =>
        Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
          text.slice(i * size, (i + 1) * size),
        );

      it('should disconnect a peer whose tiny writes turn out invalid JSON at the end', () =>
        expectRejected(splitEvery(`${frame(request()).slice(0, -3)}}}}\f`, 1), /unreadable frame/));

      it('should disconnect a peer whose tiny writes rename the event at the end', () =>
        expectRejected(
          splitEvery(`${frame(request()).slice(0, -2)},"type":"__proto__"}\f`, 3),
          BAD_FRAME,
        ));

      it('should disconnect a peer whose tiny writes break the prefix at its last character', () =>
        expectRejected(splitEvery(`${PREFIX.slice(0, -1)}{]}\f`, 1), /malformed frame/));

      it('should disconnect a peer whose frame goes over the limit in tiny steps', () =>
        expectRejected([PREFIX, ...splitEvery('z'.repeat(MAX_MESSAGE_SIZE), 4 * KIB)], /over/));
    });

    describe('many peers', () => {
      it('should survive many connections opened and closed at once', async () => {
        const peers = Array.from({ length: 50 }, (_, i) => {
          const socket = connect(a.hubPath ?? '');
          sockets.add(socket);
          socket.on('error', () => undefined);
          if (i % 2 === 0) socket.destroy();
          else socket.once('connect', () => socket.destroy());
          return new Promise<void>((resolve) => socket.once('close', () => resolve()));
        });
        await within(Promise.all(peers), CLOSE_WITHIN_MS, 'the sockets did not close');
        await expectHealthy();
      });

      it('should disconnect many hostile peers at once', async () => {
        const peers = await Promise.all(Array.from({ length: 20 }, () => open()));
        for (const [i, { socket }] of peers.entries())
          socket.write(i % 2 ? 'junk\f' : renamed('toString'));
        await within(
          Promise.all(peers.map((p) => p.closed)),
          CLOSE_WITHIN_MS,
          'the hub did not close every connection',
        );
        expect(disconnections()).to.have.length(20);
        await expectHealthy();
      });

      it('should log a flood of hostile peers as one warning and one summary', async () => {
        await new Promise((resolve) => setTimeout(resolve, REJECT_BURST_MS + 100)); // a new burst
        const from = logs.records.length; // the previous burst's summary is before
        const peers = await Promise.all(Array.from({ length: 200 }, () => open()));
        for (const { socket } of peers) socket.write('junk\f');
        await within(
          Promise.all(peers.map((p) => p.closed)),
          CLOSE_WITHIN_MS,
          'the hub did not close every connection',
        );
        const warnings = (): string[] =>
          logs.records
            .slice(from)
            .filter((r) => r.level === 'warn')
            .map((r) => r.message);
        await within(
          new Promise<void>((resolve) => {
            const timer = setInterval(() => {
              if (warnings().length >= 2) resolve(clearInterval(timer));
            }, 20);
          }),
          REJECT_BURST_MS + CLOSE_WITHIN_MS,
          'no summary',
        );
        expect(warnings()).to.have.length(2);
        expect(warnings()[0]).to.match(/^disconnecting a peer: malformed frame/);
        expect(warnings()[1]).to.match(
          /^disconnected 199 more peers within \d+ ms: malformed frame/,
        );
        expect(
          logs.records.slice(from).filter((r) => /^disconnecting a peer/.test(r.message)),
        ).to.have.length(200);
        await expectHealthy();
      });

      it('should survive a peer that hangs up in the middle of a frame', async () => {
        const { socket, closed } = await open();
        socket.end(`${PREFIX}{"id":1,"from":"intr`);
        await within(closed, CLOSE_WITHIN_MS, 'the connection did not close');
        await expectHealthy();
      });
    });

    describe('spoofing', () => {
      it("should not let a peer take over an actor's aid during its spawn window", async () => {
        // The victim connects, then waits before its own handshake, so the
        // intruder (who knows its aid) is the first to send one.
        const pending = spawn({
          name: 'hostile-victim',
          concurrency: 'process',
          start: () => new Promise((resolve) => setTimeout(resolve, 300)),
        });
        const { socket, closed } = await open();
        const aid = pending.aid;
        socket.write(
          frame(request({ from: aid, cmd: 'notify', args: [{ aid, ready: true }], ack: false })),
        );
        await within(closed, CLOSE_WITHIN_MS, 'the hub kept the intruder');
        expect(disconnections().some((m) => /without the nonce of its spawn/.test(m))).to.equal(
          true,
        );
        const victim = await within(pending, 10_000, 'the real actor did not shake hands');
        expect(await send(victim, 'ping')).to.equal('pong');
        expect(victim.info).not.to.have.property('nonce');
        await victim.stop();
        await expectHealthy();
      });

      it('should disconnect an actor whose notify speaks for another actor', async () => {
        const liar = await spawn({ name: 'hostile-liar', concurrency: 'thread' });
        const exited = new Promise<void>((resolve) => {
          const sub = a.events.actorExited$.subscribe((exit) => {
            if (exit.aid === liar.aid) {
              sub.unsubscribe();
              resolve();
            }
          });
        });
        // Its reply never comes: the hub drops it with the notify.
        void send(
          liar,
          'run',
          (actor: { tell(...args: unknown[]): unknown }, aid: string) => {
            actor.tell('arbiter', 'notify', { aid, spoofed: true });
          },
          threadActor.aid,
        ).then(undefined, () => undefined);
        await within(exited, 10_000, 'the liar was not disconnected');
        expect(disconnections().some((m) => /speaks for another actor/.test(m))).to.equal(true);
        expect(threadActor.info).not.to.have.property('spoofed');
        await expectHealthy();
      });
    });
  });

  describe('connections before their handshake', () => {
    let a: Arbiter;
    const sockets: Socket[] = [];

    before(async () => {
      a = arbiter({ maxMessageSize: 8 * 1024 * KIB });
      await a.start();
    });

    after(async () => {
      for (const socket of sockets) socket.destroy();
      await a.stop();
    });

    it('should not buffer more than a small bound for a peer that has not shaken hands', async () => {
      const logs = captureLogs('debug');
      try {
        const chunk = 'x'.repeat(64 * KIB);
        const peers = Array.from({ length: 8 }, async () => {
          const socket = connect(a.hubPath ?? '');
          sockets.push(socket);
          socket.on('error', () => undefined);
          const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
          let written = 0;
          let isClosed = false;
          void closed.then(() => (isClosed = true));
          socket.write(PREFIX);
          while (!isClosed && written < 4 * 1024 * KIB) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              await new Promise<void>((resolve) => {
                socket.once('drain', resolve);
                void closed.then(resolve);
              });
            }
          }
          await within(closed, CLOSE_WITHIN_MS, 'the hub kept a peer that had not shaken hands');
          return written;
        });
        const written = await Promise.all(peers);
        for (const w of written) expect(w).to.be.lessThan(4 * 1024 * KIB);
        const reasons = logs.records.map((r) => r.message).join('\n');
        expect(reasons).to.match(
          new RegExp(`frame over ${HANDSHAKE_SIZE} characters before its handshake`),
        );
      } finally {
        logs.restore();
      }
      expect(await send('arbiter', 'ping')).to.equal('pong');
    });
  });

  describe('a full hub', () => {
    let a: Arbiter;

    before(async () => {
      a = arbiter({ maxConnections: 2 });
      await a.start();
    });

    after(async () => {
      await a.stop();
    });

    it('should fail a spawn that finds the hub full, saying so', async () => {
      await Promise.all([
        spawn({ name: 'full-1', concurrency: 'thread' }),
        spawn({ name: 'full-2', concurrency: 'thread' }),
      ]);
      let error: unknown;
      try {
        await spawn({ name: 'full-3', concurrency: 'thread' });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(InvalidStateError);
      expect(String(error)).to.match(/the hub is full .*maxConnections is 2/);
    });
  });
});
