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
import { frames } from '../../support/wire.js';
import type { Envelope } from '../../../lib/transport/protocol.js';

type Bytes = string | Buffer;

const KIB = 1024;
const MAX_MESSAGE_SIZE = 64 * KIB;
/** How long the hub has to drop a hostile peer before the test fails. */
const CLOSE_WITHIN_MS = 3000;
/** Slots 0, 1 and 2 defined as a request's from, to and cmd. */
const SLOTS = 's0,"intruder"\fs1,"arbiter"\fs2,"ping"\f';
/** The start of a request written with those slots, up to its payload. */
const HEAD = `${SLOTS}q1,0,1,2,`;

/** A frame of rxpulsar's former format (node-ipc's), naming an event. */
const legacy = (event: string): string => `{"type":${JSON.stringify(event)},"data":[]}\f`;

const request = (fields: Partial<Envelope> = {}): Envelope => ({
  id: 1,
  from: 'intruder',
  to: 'arbiter',
  cmd: 'ping',
  args: [],
  ack: true,
  ...fields,
});

/** Valid frames of some envelopes. */
const frame = (...envelopes: Envelope[]): string => frames(...envelopes);

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
        ['text that is not a frame', 'hello\f', /malformed frame/],
        ['binary garbage full of delimiters', garbage, /malformed frame/],
        ['an empty frame', '\f', /empty frame/],
        ['a JSON array', '[1,2,3]\f', /malformed frame/],
        ['JSON null (kind n, no id)', 'null\f', /numeric id/],
        ['a JSON number', '42\f', /malformed frame/],
        ['a JSON string', '"m"\f', /malformed frame/],
        ['a frame of the former format', legacy('m'), /malformed frame/],
        ['a former frame naming __proto__', legacy('__proto__'), /malformed frame/],
        ['a former frame naming constructor', legacy('constructor'), /malformed frame/],
        ['a former frame naming connect', legacy('connect'), /malformed frame/],
        ['a header cut short by the delimiter', 'q1,0\f', /from\/to/],
      ];
      for (const [what, bytes, reason] of cases) {
        it(`should disconnect a peer that sends ${what}`, () => expectRejected(bytes, reason));
      }
    });

    describe('frames of a known kind', () => {
      const cases: [string, string, RegExp][] = [
        ['a payload that is not JSON', `${HEAD}nope\f`, /unreadable frame/],
        ['a frame that ends after its header', `${HEAD}\f`, /unreadable frame/],
        ['a request on slots never defined', 'q1,0,1,2,[]\f', /slot 0 is not defined/],
        ['a cmd on a slot never defined', `${SLOTS}q1,0,1,7,[]\f`, /cmd: slot 7 is not/],
        ['a slot out of range', 's256,"x"\f', /slot 256 out of range/],
        ['a slot number of four digits', 's0001,"x"\f', /slot number/],
        ['a slot defined as a number', 's0,5\f', /slot 0 defined as other than a string/],
        ['a slot defined as a long string', `s0,"${'x'.repeat(300)}"\f`, /at most 256/],
        ['a slot definition that is not JSON', 's0,"x\f', /unreadable frame/],
        ['an id with a letter', `${SLOTS}q1a,0,1,2,[]\f`, /numeric id/],
        ['an id of 17 digits', `${SLOTS}q${'9'.repeat(17)},0,1,2,[]\f`, /numeric id/],
        ['no id', `${SLOTS}q,0,1,2,[]\f`, /numeric id/],
        ['a negative id', `${SLOTS}q-1,0,1,2,[]\f`, /numeric id/],
        ['a name written in place, unterminated', 'q1,"intruder\f', /unterminated/],
        ['a name written in place, not JSON', 'q1,"a\\x",1,2,[]\f', /from\/to/],
        ['a request whose args is an object', `${HEAD}{}\f`, /args array/],
        ['a request whose args is null', `${HEAD}null\f`, /args array/],
        ['an error reply with a string', `${SLOTS}e1,0,1,"x"\f`, /error reply without an error/],
        ['an error reply without payload', `${SLOTS}e1,0,1,\f`, /error reply without an error/],
        ['a reply whose value is not JSON', `${SLOTS}r1,0,1,{\f`, /unreadable frame/],
        ['a token frame', 't"f00d"\f', /token frame/],
        [
          'an invalid envelope after a valid one',
          `${frame(request())}q2,0\f`,
          /from\/to|handshake/,
        ],
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

      it('should not route a request that follows a rejected one in the same frame', () =>
        expectRejected(
          frame(request(), request({ id: 2, to: 'hostile-thread', cmd: 'stop' })),
          /not the handshake/,
        ));
    });

    describe('size limits', () => {
      const big = 200 * KIB;

      it('should disconnect a peer whose frame is over maxMessageSize', () =>
        expectRejected(`${HEAD}["${'x'.repeat(big)}"]\f`, /over maxMessageSize/));

      it('should disconnect a peer whose unfinished frame is over maxMessageSize', () =>
        expectRejected(`${HEAD}["${'x'.repeat(big)}`, /over maxMessageSize/));

      it('should disconnect a peer that streams a frame without end, before it is all sent', async () => {
        const total = 10 * 1024 * KIB;
        const chunk = 'x'.repeat(64 * KIB);
        const { socket, closed } = await open();
        let isClosed = false;
        void closed.then(() => (isClosed = true));
        let written = 0;
        socket.write(`${HEAD}["`);
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
        const chunks: string[] = [`q1,0,1,2,["${filler}`];
        for (let i = 0; i < 64; i++) chunks.push(`"]\fq1,0,1,2,["${filler}`);
        return expectRejected(chunks, /not defined|over maxMessageSize/);
      });

      it('should disconnect a peer whose hostile frame shares a write with the next one', () =>
        expectRejected(`${frame(request())}q`, /not the handshake/));
    });

    describe('frames split across writes', () => {
      const splitEvery = (text: string, size: number): string[] =>
        Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
          text.slice(i * size, (i + 1) * size),
        );

      it('should disconnect a peer whose tiny writes turn out invalid JSON at the end', () =>
        expectRejected(splitEvery(`${HEAD}[}\f`, 1), /unreadable frame/));

      it('should disconnect a peer whose tiny writes name an undefined slot at the end', () =>
        expectRejected(splitEvery(`${SLOTS}q1,0,1,9,[]\f`, 3), /not defined/));

      it('should disconnect a peer whose tiny writes start a frame of no kind', () =>
        expectRejected(splitEvery('x1,0,1,2,[]\f', 1), /malformed frame/));

      it('should disconnect a peer whose frame goes over the limit in tiny steps', () =>
        expectRejected(
          [`${HEAD}["`, ...splitEvery('z'.repeat(MAX_MESSAGE_SIZE), 4 * KIB)],
          /over/,
        ));
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
          socket.write(i % 2 ? 'junk\f' : legacy('toString'));
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
        socket.end('q1,"intr');
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
      // The hub listens from the first process actor on.
      await a.spawn({ name: 'listener', concurrency: 'process' });
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
          socket.write(`${HEAD}["`);
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
