/**
 * Thread actors, and process actors, that talk get a direct channel from
 * the arbiter on first use: their next envelopes skip the arbiter, and a
 * death still fails what waits on the dead one at once.
 */
import { expect } from 'chai';
import {
  arbiter,
  send,
  spawn,
  type Actor,
  type ActorProxy,
  type Arbiter,
} from '../../lib/index.js';
import type { Envelope } from '../../lib/transport/protocol.js';
import type { Link } from '../../lib/transport/Link.js';
import { Introducer } from '../../lib/arbiter/Introducer.js';
import type { Router } from '../../lib/arbiter/Router.js';
import { within } from '../support/waiting.js';

const commands = {
  hang: (self: Actor) => {
    self.extra['hanging'] = true;
    return new Promise(() => undefined);
  },
  append: (self: Actor, i: number) => {
    ((self.extra['log'] ??= []) as number[]).push(i);
  },
  log: (self: Actor) => self.extra['log'],
};

/** Ask `from` to send `count` appends to `to` (by aid), a few at a time, without waiting for replies. */
const appends = (from: ActorProxy, to: ActorProxy, count: number): PromiseLike<unknown> =>
  send(
    from,
    'run',
    async (self: Actor, aid: string, n: number) => {
      const replies: PromiseLike<unknown>[] = [];
      for (let i = 0; i < n; i++) {
        replies.push(self.send(aid, 'append', i));
        if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all(replies);
    },
    to.aid,
    count,
  );

/** Resolved once `actor` runs a `hang` request (it came through). */
async function hanging(actor: ActorProxy): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await send(actor, 'run', (self: Actor) => self.extra['hanging'])) !== true) {
    if (Date.now() > deadline) throw new Error(`${actor.name} got no hang within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ask `from` to send `count` echoes to `to` (by aid), all at once. */
const echoes = (from: ActorProxy, to: ActorProxy, count: number): PromiseLike<unknown> =>
  send(
    from,
    'run',
    (self: Actor, aid: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => self.send(aid, 'echo', i))),
    to.aid,
    count,
  );

describe('Introducer', function () {
  this.timeout(30_000);
  let a: Arbiter;
  let routed: Envelope[];

  before(async () => {
    a = arbiter({ requestTimeout: 20_000 });
    await a.start();
    // Every envelope the arbiter routes from an actor, seen on the way.
    const router = (a as unknown as { router: Router }).router;
    const route = router.route.bind(router);
    routed = [];
    router.route = (link: Link, envelopes: Envelope[]) => {
      routed.push(...envelopes);
      route(link, envelopes);
    };
  });

  after(async () => {
    await a.stop();
  });

  describe('introduce()', () => {
    it('should give two thread actors a direct channel once they talk', async () => {
      const [t1, t2] = await Promise.all([
        spawn({ name: 'intro-1', concurrency: 'thread' }),
        spawn({ name: 'intro-2', concurrency: 'thread' }),
      ]);
      expect(await echoes(t1, t2, 1)).to.deep.equal([0]);
      routed.length = 0;
      expect(await echoes(t1, t2, 50)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
      expect(await echoes(t2, t1, 5)).to.have.length(5);
      const between = routed.filter((env) => [t1.aid, t2.aid].includes(env.to));
      expect(between.filter((env) => env.from !== a.aid)).to.deep.equal([]);
      await Promise.all([t1.stop(), t2.stop()]);
    });

    it('should keep requests by name routed, and their replies too (the arbiter forgets them)', async () => {
      const [t1, t2] = await Promise.all([
        spawn({ name: 'intro-named-1', concurrency: 'thread' }),
        spawn({ name: 'intro-named-2', concurrency: 'thread' }),
      ]);
      await echoes(t1, t2, 1);
      const byName = await send(t1, 'run', (self: Actor) =>
        Promise.all(Array.from({ length: 20 }, (_, i) => self.send('intro-named-2', 'echo', i))),
      );
      expect(byName).to.have.length(20);
      const children = (
        a as unknown as { table: { children: Map<string, { forwarded: Map<string, unknown> }> } }
      ).table.children;
      expect(children.get(t2.aid)?.forwarded.size).to.equal(0);
      await Promise.all([t1.stop(), t2.stop()]);
    });
  });

  describe('introduceProcesses()', () => {
    /** Envelopes between the two (markers aside) that the arbiter routed. */
    const between = (p1: ActorProxy, p2: ActorProxy): Envelope[] =>
      routed.filter(
        (env) =>
          [p1.aid, p2.aid].includes(env.to) &&
          [p1.aid, p2.aid].includes(env.from) &&
          !('cmd' in env && env.cmd === '$rxp.direct'),
      );

    /** Echo until a round goes entirely direct (the introduction is asynchronous). */
    async function untilDirect(p1: ActorProxy, p2: ActorProxy): Promise<void> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        routed.length = 0;
        await echoes(p1, p2, 10);
        await echoes(p2, p1, 10);
        if (between(p1, p2).length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`still routed through the arbiter: ${between(p1, p2).length} envelopes`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('should give two process actors a connection of their own once they talk by aid', async () => {
      const [p1, p2] = await Promise.all([
        spawn({ name: 'pintro-1', concurrency: 'process' }),
        spawn({ name: 'pintro-2', concurrency: 'process' }),
      ]);
      try {
        expect(await echoes(p1, p2, 1)).to.deep.equal([0]);
        await untilDirect(p1, p2);
        routed.length = 0;
        expect(await echoes(p1, p2, 50)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
        expect(await echoes(p2, p1, 5)).to.have.length(5);
        expect(between(p1, p2)).to.deep.equal([]);
      } finally {
        await Promise.all([p1.stop(), p2.stop()]);
      }
    });

    it('should keep the order of what one sends to the other across the switch', async () => {
      const [p1, p2] = await Promise.all([
        spawn({ name: 'porder-1', concurrency: 'process' }),
        spawn({ name: 'porder-2', concurrency: 'process', commands }),
      ]);
      try {
        await appends(p1, p2, 400);
        expect(await send(p2, 'log')).to.deep.equal(Array.from({ length: 400 }, (_, i) => i));
      } finally {
        await Promise.all([p1.stop(), p2.stop()]);
      }
    });

    it('should fail a direct request at once with ActorExitedError when the peer is killed', async () => {
      const [p1, p2] = await Promise.all([
        spawn({ name: 'pintro-caller', concurrency: 'process' }),
        spawn({ name: 'pintro-victim', concurrency: 'process', commands }),
      ]);
      try {
        await echoes(p1, p2, 1);
        await untilDirect(p1, p2);
        routed.length = 0;
        const outcome = send(
          p1,
          'run',
          (self: Actor, aid: string) =>
            self.send(aid, 'hang').then(
              () => 'answered',
              (err: unknown) => `${(err as Error).name}: ${(err as Error).message}`,
            ),
          p2.aid,
        );
        await hanging(p2); // not a fixed wait: a busy machine may take longer
        expect(between(p1, p2)).to.deep.equal([]); // the request went directly
        p2.worker?.kill('SIGKILL');
        expect(await within(outcome, 5_000, 'the direct request did not fail')).to.match(
          /^ActorExitedError: .*exited/,
        );
        expect(await send(p1, 'ping')).to.equal('pong');
      } finally {
        await Promise.all([p1.stop(), p2.stop()]);
      }
    });

    it('should route as before when introductions are off', async () => {
      Introducer.processes = false;
      const [p1, p2] = await Promise.all([
        spawn({ name: 'poff-1', concurrency: 'process' }),
        spawn({ name: 'poff-2', concurrency: 'process' }),
      ]);
      try {
        await echoes(p1, p2, 1);
        await new Promise((resolve) => setTimeout(resolve, 200));
        routed.length = 0;
        expect(await echoes(p1, p2, 10)).to.have.length(10);
        expect(between(p1, p2)).to.have.length(20);
      } finally {
        Introducer.processes = true;
        await Promise.all([p1.stop(), p2.stop()]);
      }
    });
  });

  describe('exited()', () => {
    it('should fail a direct request at once with ActorExitedError when the peer dies', async () => {
      const [t1, t2] = await Promise.all([
        spawn({ name: 'intro-caller', concurrency: 'thread' }),
        spawn({ name: 'intro-victim', concurrency: 'thread', commands }),
      ]);
      await echoes(t1, t2, 1);
      const outcome = send(
        t1,
        'run',
        (self: Actor, aid: string) =>
          self.send(aid, 'hang').then(
            () => 'answered',
            (err: unknown) => `${(err as Error).name}: ${(err as Error).message}`,
          ),
        t2.aid,
      );
      await hanging(t2); // not a fixed wait: a busy machine may take longer
      t2.worker?.kill('SIGKILL');
      expect(await within(outcome, 5_000, 'the direct request did not fail')).to.match(
        /^ActorExitedError: .*exited/,
      );
      expect(await send(t1, 'ping')).to.equal('pong');
      await t1.stop();
    });
  });
});
