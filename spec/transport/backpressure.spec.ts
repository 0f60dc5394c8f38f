/**
 * An actor that does not read as fast as it is sent to: its connection
 * holds at most twice `maxMessageSize` unsent, and requests past that fail
 * at once with `BackpressureError` (nothing sent, nothing lost: every
 * request either fails at once or is answered), whether the arbiter sends,
 * another actor sends through the hub, or over a direct connection. Real
 * process actors, blocked in a synchronous wait.
 */
import { expect } from 'chai';
import {
  arbiter,
  BackpressureError,
  captureLogs,
  send,
  spawn,
  type Actor,
  type ActorProxy,
  type Arbiter,
} from '../../lib/index.js';
import type { Child, Router } from '../../lib/arbiter/Router.js';
import type { Link } from '../../lib/transport/Link.js';
import { Outbox } from '../../lib/transport/Outbox.js';
import { DELIMITER, type Envelope } from '../../lib/transport/protocol.js';

/** The characters of this tick's batch, queued in the outbox. */
const outboxQueued = (outbox: Outbox): number =>
  (outbox as unknown as { queue: string }).queue.length;

/** The smallest limit the arbiter takes: the bound is twice it. */
const MAX = 64 * 1024;
/** Each request carries this many characters. */
const CHUNK = 16 * 1024;
/** Enough to pass the kernel's socket buffers and twice `MAX` several times over. */
const COUNT = 200;

/**
 * Block `actor`'s event loop for `ms` (a synchronous wait, no CPU).
 * @returns once the wait runs, the request's reply (in an object: returned
 *   alone, the async function would wait for it).
 */
async function block(actor: ActorProxy, ms: number): Promise<{ done: PromiseLike<unknown> }> {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = send(
    actor,
    'run',
    (_self: Actor, wait: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    },
    ms,
  );
  // The request is on its way; the actor reads it before the flood.
  setTimeout(started, 100);
  await running;
  return { done };
}

/**
 * Resolved once `actor` answers again: what a flood left waiting for it is
 * written and read first (a request meanwhile is refused, as it should be).
 */
async function drained(actor: ActorProxy): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await send(actor, 'ping');
      return;
    } catch (err) {
      if (!(err instanceof BackpressureError) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** How many of each: `{ ok: 8, BackpressureError: 192 }`. */
function tally(ends: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const end of ends) counts[end] = (counts[end] ?? 0) + 1;
  return counts;
}

/** How requests ended: refused ones by their error name, answered ones as `ok`. */
async function outcomes(requests: PromiseLike<unknown>[]): Promise<Record<string, number>> {
  const ends = await Promise.all(
    requests.map((r) =>
      Promise.resolve(r).then(
        () => 'ok',
        (err: Error) => err.name,
      ),
    ),
  );
  return tally(ends);
}

describe('backpressure', function () {
  this.timeout(30_000);
  let a: Arbiter;
  let b: ActorProxy;
  let sender: ActorProxy;

  before(async () => {
    a = arbiter({ maxMessageSize: MAX, requestTimeout: 20_000 });
    await a.start();
    [b, sender] = await Promise.all([
      spawn({ name: 'bp-slow', concurrency: 'process' }),
      spawn({ name: 'bp-sender', concurrency: 'process' }),
    ]);
  });

  after(async () => {
    await a.stop();
  });

  // Each test starts with the slow actor's backlog drained.
  afterEach(() => drained(b));

  it("should refuse the arbiter's requests past the bound, and answer every other one", async () => {
    const { done: blocked } = await block(b, 1500);
    const text = 'x'.repeat(CHUNK);
    const requests = Array.from({ length: COUNT }, () => send(b, 'echo', text));
    const refused = await Promise.race([
      Promise.allSettled(requests).then(() => 'all settled'),
      new Promise((resolve) => setTimeout(() => resolve('still blocked'), 500)),
    ]);
    // Refusals come at once, while the actor is still blocked.
    expect(refused).to.equal('still blocked');
    await blocked;
    const counts = await outcomes(requests);
    expect(counts['BackpressureError']).to.be.greaterThan(0);
    expect(counts['ok']).to.be.greaterThan(0);
    expect((counts['ok'] ?? 0) + (counts['BackpressureError'] ?? 0)).to.equal(COUNT);
    const err = await Promise.resolve(requests.at(-1)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(BackpressureError);
    expect((err as Error).message).to.match(
      /request "echo" to \w+ not sent: \d+ bytes wait to be written to its connection already, twice maxMessageSize \(65536\)/,
    );
    // Read again: it serves as before.
    expect(await send(b, 'echo', text)).to.equal(text);
  });

  it('should refuse with its class a request another actor sends through the hub (by name)', async () => {
    const { done: blocked } = await block(b, 1500);
    // Midway, what the arbiter keeps of the requests it passed on: who waits, not their arguments.
    const children = (a as unknown as { router: { children: Map<string, Child> } }).router.children;
    let kept: object[] = [];
    const midway = setTimeout(() => {
      kept = [...(children.get(b.aid)?.forwarded.values() ?? [])];
    }, 700);
    const ends = (await send(
      sender,
      'run',
      async (self: Actor, count: number, chunk: number) => {
        const text = 'y'.repeat(chunk);
        const replies: Promise<string>[] = [];
        // A pause now and then: its own connection drains, the hub's to the slow one fills.
        for (let i = 0; i < count; i++) {
          replies.push(
            Promise.resolve(self.send('bp-slow', 'echo', text)).then(
              () => 'ok',
              (err: Error & { code?: string }) => `${err.name} ${err.code}: ${err.message}`,
            ),
          );
          if (i % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return Promise.all(replies);
      },
      COUNT,
      CHUNK,
    )) as string[];
    await blocked;
    const refused = ends.filter((end) => end.startsWith('BackpressureError RXP_ERR_BACKPRESSURE'));
    expect(refused.length).to.be.greaterThan(0);
    expect(ends.filter((end) => end === 'ok').length + refused.length).to.equal(COUNT);
    // Refused by the arbiter (it names the target by aid), not by the sender's own connection.
    expect(refused[0]).to.contain(`request "echo" to ${b.aid} not sent`);
    clearTimeout(midway);
    expect(kept.length).to.be.greaterThan(0);
    expect(kept.every((request) => !('args' in request))).to.equal(true);
  });

  it('should drop what expects no reply past the bound, and log it in a few lines', async () => {
    const logs = captureLogs('warn');
    try {
      const { done: blocked } = await block(b, 1500);
      await send(
        sender,
        'run',
        async (self: Actor, count: number, chunk: number) => {
          // A pause now and then: its own connection drains, the hub's to the slow one fills.
          for (let i = 0; i < count; i++) {
            self.tell('bp-slow', 'echo', 't'.repeat(chunk));
            if (i % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        },
        COUNT,
        CHUNK,
      );
      await blocked;
      // What a stop does: the burst's summary is logged now, not lost.
      (a as unknown as { router: Router }).router.close();
      const lines = logs.records.map((r) => r.message).filter((m) => /dropped/.test(m));
      expect(lines[0]).to.match(
        /^dropped a message from \w+: request "echo" to \w+ not sent: \d+ bytes wait/,
      );
      expect(lines.slice(1)).to.have.length(1);
      expect(lines[1]).to.match(
        /^dropped \d+ more messages within 1000 ms: BackpressureError ×\d+/,
      );
    } finally {
      logs.restore();
    }
  });

  it('should refuse on a direct connection too, in the sender', async () => {
    // By aid: the second request goes over a direct socket between the two.
    await send(sender, 'run', (self: Actor, aid: string) => self.send(aid, 'ping'), b.aid);
    await send(sender, 'run', (self: Actor, aid: string) => self.send(aid, 'ping'), b.aid);
    const router = (a as unknown as { router: Router }).router;
    const route = router.route.bind(router);
    let viaArbiter = 0;
    router.route = (link: Link, envelopes: Envelope[]) => {
      viaArbiter += envelopes.filter((env) => env.to === b.aid && env.from === sender.aid).length;
      route(link, envelopes);
    };
    let ends: string[];
    try {
      const { done: blocked } = await block(b, 1500);
      ends = (await send(
        sender,
        'run',
        (self: Actor, aid: string, count: number, chunk: number) => {
          const text = 'z'.repeat(chunk);
          return Promise.all(
            Array.from({ length: count }, () =>
              Promise.resolve(self.send(aid, 'echo', text)).then(
                () => 'ok',
                (err: Error) => err.name,
              ),
            ),
          );
        },
        b.aid,
        COUNT,
        CHUNK,
      )) as string[];
      await blocked;
    } finally {
      router.route = route;
    }
    const counts = tally(ends);
    expect(viaArbiter).to.equal(0);
    expect(counts['BackpressureError']).to.be.greaterThan(0);
    expect((counts['ok'] ?? 0) + (counts['BackpressureError'] ?? 0)).to.equal(COUNT);
  });

  describe('a thread actor (its MessagePort)', () => {
    let t: ActorProxy;

    before(async () => {
      t = await spawn({ name: 'bp-thread', concurrency: 'thread' });
    });

    it('should refuse the requests past the bound while it does not read, and answer every other one', async () => {
      const { done: blocked } = await block(t, 1500);
      const text = 'x'.repeat(CHUNK);
      const requests = Array.from({ length: COUNT }, () => send(t, 'echo', text));
      const err = await Promise.resolve(requests.at(-1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(BackpressureError);
      expect((err as Error).message).to.match(
        /request "echo" to \w+ not sent: \d+ bytes wait to be read by its thread already, twice maxMessageSize \(65536\)/,
      );
      await blocked;
      const counts = await outcomes(requests);
      expect(counts['ok']).to.be.greaterThan(0);
      expect((counts['ok'] ?? 0) + (counts['BackpressureError'] ?? 0)).to.equal(COUNT);
      expect(await send(t, 'echo', text)).to.equal(text);
    });

    it('should refuse nothing to a thread that reads, though it answers nothing (it says what it read)', async () => {
      // 200 × 16 KiB of tells, 25 times the bound, one a millisecond (a sender
      // slower than the thread reads): no reply ever comes back to tell it.
      const text = 't'.repeat(CHUNK);
      let refused = 0;
      for (let i = 0; i < COUNT; i++) {
        a.tell(t, 'echo', text).addErrback(() => {
          refused++;
        });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(refused).to.equal(0);
      expect(await send(t, 'echo', 'after')).to.equal('after');
    });
  });

  describe('Outbox', () => {
    const request = (id: number, cmd = 'echo'): Envelope => ({
      id,
      from: 'a',
      to: 'b',
      cmd,
      args: ['x'],
      ack: true,
    });

    it("should refuse requests, not replies, notify, stop or a task queue's task_run, once the backlog reaches twice maxSize", async () => {
      let backlog = 0;
      const written: string[] = [];
      const outbox = new Outbox((frames) => written.push(frames), {
        maxSize: 100,
        backlog: () => backlog,
      });
      outbox.push(request(1));
      backlog = 200;
      expect(() => outbox.push(request(2))).to.throw(
        BackpressureError,
        /twice maxMessageSize \(100\)/,
      );
      outbox.push({ id: 7, from: 'b', to: 'a', ok: true, value: 'v' });
      outbox.push(request(3, 'notify'));
      outbox.push(request(4, 'stop'));
      outbox.push(request(6, 'task_run'));
      backlog = 199 - outboxQueued(outbox);
      outbox.push(request(5));
      await Promise.resolve();
      // One batch: requests 1 and 5, the reply, notify, stop and task_run; not request 2.
      const sent = (written[0] ?? '')
        .split(DELIMITER)
        .filter((frame) => /^[qr]/.test(frame))
        .map((frame) => frame.slice(0, frame.indexOf(',')));
      expect(written).to.have.length(1);
      expect(sent).to.deep.equal(['q1', 'r7', 'q3', 'q4', 'q6', 'q5']);
    });
  });
});
