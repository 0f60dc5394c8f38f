/**
 * Thread actors that talk get a direct channel from the arbiter on first
 * use: their next envelopes skip the arbiter, and a death still fails what
 * waits on the dead one at once.
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
import type { Router } from '../../lib/arbiter/Router.js';
import { within } from '../support/waiting.js';

const commands = { hang: () => new Promise(() => undefined) };

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
      await new Promise((resolve) => setTimeout(resolve, 100));
      t2.worker?.kill('SIGKILL');
      expect(await within(outcome, 5_000, 'the direct request did not fail')).to.match(
        /^ActorExitedError: .*exited/,
      );
      expect(await send(t1, 'ping')).to.equal('pong');
      await t1.stop();
    });
  });
});
