import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  ActorExitedError,
  arbiter,
  CancelledError,
  ImproperlyConfiguredError,
  InvalidStateError,
  send,
  type ActorExit,
  type Arbiter,
} from '../../lib/index.js';
import { reportUnhandledErrors } from '../../lib/async/reportUnhandledErrors.js';
import { rejection } from '../support/waiting.js';

describe('startChild', () => {
  describe('launchChild()', () => {
    let b: Arbiter;

    beforeEach(async () => {
      b = arbiter({ control: false, requestTimeout: 10_000 });
      await b.start();
    });

    afterEach(async () => {
      await b.stop();
    });

    it('should fail a process spawn with the hub listen error, fork nothing, serve on, and listen again at the next spawn', async () => {
      const exits: ActorExit[] = [];
      b.events.actorExited$.subscribe((exit) => exits.push(exit));
      const thread = await b.spawn({ name: 'serving-thread', concurrency: 'thread' });
      const path = b.hubPath!;
      writeFileSync(path, ''); // something holds the hub's path: its first listen fails
      const failed = b.spawn({ name: 'unreachable', concurrency: 'process' });
      const err = (await rejection(failed)) as Error & { code?: string; cause?: unknown };
      expect(err.code).to.equal('RXP_ERR_LISTEN');
      expect(err.message).to.contain(path).and.to.contain('EADDRINUSE');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
      // The arbiter and its other actors serve on.
      expect(await send(b.aid, 'ping')).to.equal('pong');
      expect(await send(thread, 'ping')).to.equal('pong');
      // The next process spawn listens again, and its child connects.
      rmSync(path);
      const child = await b.spawn({ name: 'reachable', concurrency: 'process' });
      expect(await send(child, 'ping')).to.equal('pong');
      expect(statSync(path).isSocket()).to.equal(true);
      // The failed spawn forked nothing: no actor of its aid ever exited.
      expect(exits.map((exit) => exit.aid)).to.not.include(failed.aid);
    });

    it('should leave no unhandled error of a first process spawn that fails, once its caller handled it', async () => {
      reportUnhandledErrors(); // what came before is not this test's
      const module = new URL('../fixtures/actors/fails-start.js', import.meta.url).href;
      const err = await rejection(b.spawn({ name: 'fails', concurrency: 'process', module }));
      expect(err.message).to.contain('cannot start');
      expect(reportUnhandledErrors()).to.equal(0);
    });

    it('should start nothing for a process spawn cancelled while the hub begins to listen', async () => {
      const exits: ActorExit[] = [];
      b.events.actorExited$.subscribe((exit) => exits.push(exit));
      const cancelled = b.spawn({ name: 'cancelled', concurrency: 'process' });
      cancelled.cancel();
      expect(await rejection(cancelled)).to.be.instanceOf(CancelledError);
      const child = await b.spawn({ name: 'next', concurrency: 'process' });
      expect(await send(child, 'ping')).to.equal('pong');
      await b.stopActor(child.aid);
      // Forked, it would have been killed and reported like the one stopped.
      expect(exits.map((exit) => exit.aid)).to.deep.equal([child.aid]);
    });

    it('should fail a process spawn waiting for the listen when the arbiter stops meanwhile', async () => {
      const spawning = b.spawn({ name: 'too-late', concurrency: 'process' });
      const stopping = b.stop();
      const err = (await rejection(spawning)) as Error & { code?: string };
      await stopping;
      expect(err.code).to.equal('RXP_ERR_INVALID_STATE');
      expect(existsSync(b.hubPath ?? '/no/such/path')).to.equal(false);
    });

    it('should start nothing for a process spawn stopped while the hub begins to listen, and fail it with ActorExitedError', async () => {
      const exits: ActorExit[] = [];
      b.events.actorExited$.subscribe((exit) => exits.push(exit));
      const stopped = b.spawn({ name: 'stopped', concurrency: 'process' });
      // As for an actor stopped before its handshake (once the hub listens).
      expect(await b.stopActor(stopped.aid)).to.equal(true);
      const err = await rejection(stopped);
      expect(err).to.be.instanceOf(ActorExitedError);
      expect(err.message).to.contain(stopped.aid);
      // Its aid is free again.
      const child = await b.spawn({ name: 'again', aid: stopped.aid, concurrency: 'process' });
      expect(await send(child, 'ping')).to.equal('pong');
      await b.stopActor(child.aid);
      expect(b.actors).to.deep.equal([]);
      // Forked, it would have exited too: only the second one did.
      expect(exits.map((exit) => exit.name)).to.deep.equal(['again']);
    });

    it('should admit the spawns issued while the hub begins to listen in their order: a taken aid and a full hub refuse the later ones', async () => {
      await b.stop(); // one arbiter a process: this one with room for 3 actors
      b = arbiter({ control: false, maxConnections: 3 });
      await b.start();
      const spawns = [
        b.spawn({ name: 'p0', concurrency: 'process' }),
        b.spawn({ name: 'p1', concurrency: 'process' }),
        b.spawn({ name: 'first', aid: 'same-aid', concurrency: 'process' }),
        b.spawn({ name: 'second', aid: 'same-aid', concurrency: 'thread' }),
        b.spawn({ name: 't0', concurrency: 'thread' }),
      ];
      const settled = await Promise.allSettled(spawns.map((d) => Promise.resolve(d)));
      expect(settled.map((s) => s.status)).to.deep.equal([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'rejected',
      ]);
      const [, , , dup, full] = settled as PromiseRejectedResult[];
      expect(dup!.reason).to.be.instanceOf(ImproperlyConfiguredError);
      expect(full!.reason).to.be.instanceOf(InvalidStateError);
      expect((full!.reason as Error).message).to.contain('the hub is full');
      expect(b.actors.map((p) => p.name).sort()).to.deep.equal(['first', 'p0', 'p1']);
      expect(await send('same-aid', 'ping')).to.equal('pong');
    });
  });
});
