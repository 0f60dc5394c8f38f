import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  arbiter,
  captureLogs,
  send,
  type Actor,
  type ActorExit,
  type ActorProxy,
  type Arbiter,
  type Monitor,
} from '../../lib/index.js';
import { alive, rejection, waitFor } from '../support/waiting.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/actors/${name}.js`, import.meta.url));

/** Block this thread (its event loop too) for `ms`. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Evaluated in a process actor: destroy its hub connection (the arbiter's
 * side sees it close, the actor is alive), then keep its event loop blocked
 * so that it cannot end by itself before the arbiter acts.
 */
function dropLink(actor: Actor): void {
  (actor as unknown as { client: { socket: { destroy(): void } } }).client.socket.destroy();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_000);
}

describe('ChildTable', () => {
  let a: Arbiter;
  let dir: string;
  const exits: ActorExit[] = [];
  const exitsOf = (aid: string): ActorExit[] => exits.filter((e) => e.aid === aid);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-childtable-'));
    a = arbiter({ requestTimeout: 3000, exitTimeout: 2000, signals: false });
    a.events.actorExited$.subscribe((e) => exits.push(e));
    await a.start();
  });

  after(async () => {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('add()', () => {
    for (const concurrency of ['thread', 'process'] as const) {
      it(`should fail a ${concurrency} spawn with its start error even when the exit is seen before the message`, async () => {
        // The arbiter's loop is blocked while the thread fails its start hook,
        // posts the error and exits: both events wait for the same turn, and
        // the exit is seen first.
        for (let round = 0; round < 3; round++) {
          const startedFile = join(dir, `started-${concurrency}-${round}`);
          const d = a.spawn({
            name: 'fails-start',
            concurrency,
            module: fixture('fails-start'),
            startedFile,
          });
          const deadline = Date.now() + 10_000;
          while (!existsSync(startedFile) && Date.now() < deadline) block(5);
          block(300); // its notify posted, its thread gone
          const err = await rejection(d);
          expect(err).to.be.instanceOf(TypeError);
          expect(err.message).to.equal('cannot start');
        }
      });
    }
  });

  describe('linkClosed()', () => {
    let pool: Monitor;

    beforeEach(async () => {
      pool = a.addMonitor('link-closed', {
        workers: 1,
        concurrency: 'process',
        backoffBase: 0,
        maxRestarts: 20,
      });
      await pool.start();
    });

    afterEach(async () => {
      await pool.stop();
    });

    /** The pool's worker that replaced `victim`, once it answers. */
    async function replacement(victim: ActorProxy): Promise<ActorProxy> {
      await waitFor(
        () => pool.managedActors.some((p) => p.aid !== victim.aid),
        10_000,
        `a replacement of ${victim.aid}`,
      );
      const proxy = pool.managedActors.find((p) => p.aid !== victim.aid)!;
      expect(await send(proxy, 'ping')).to.equal('pong');
      return proxy;
    }

    /** `victim` (pid `pid`) died once, of SIGKILL, and `next` alone is in its pool. */
    async function expectKilledAndReplaced(
      victim: ActorProxy,
      pid: number,
      next: ActorProxy,
    ): Promise<void> {
      await waitFor(() => exitsOf(victim.aid).length > 0, 10_000, 'its exit');
      await waitFor(() => !alive(pid), 10_000, `the end of pid ${pid}`);
      expect(exitsOf(victim.aid)).to.have.length(1);
      expect(exitsOf(victim.aid)[0]).to.include({ exitCode: null, signal: 'SIGKILL' });
      expect(pool.managedActors.map((p) => p.aid)).to.deep.equal([next.aid]);
    }

    it('should replace a process actor killed with SIGKILL, with one death reported and its process gone', async () => {
      const [victim] = pool.managedActors as [ActorProxy];
      const pid = victim.pid!;
      process.kill(pid, 'SIGKILL');
      await expectKilledAndReplaced(victim, pid, await replacement(victim));
      expect(a.actors.map((p) => p.aid)).not.to.include(victim.aid);
    });

    it('should kill and replace a process actor that closes its hub connection while alive', async () => {
      const logs = captureLogs('warn');
      try {
        const [victim] = pool.managedActors as [ActorProxy];
        const pid = victim.pid!;
        victim.tell('run', dropLink);
        // Killed by its arbiter: blocked, it could not have ended by itself.
        await expectKilledAndReplaced(victim, pid, await replacement(victim));
        const said = logs.records.map((r) => r.message);
        expect(said.some((m) => m.includes(`(${victim.aid}) closed its hub connection`))).to.equal(
          true,
        );
      } finally {
        logs.restore();
      }
    });

    it('should fail a request waiting on an actor that closed its hub connection', async () => {
      const [victim] = pool.managedActors as [ActorProxy];
      const pending = send(victim, 'run', dropLink);
      const err = await rejection(pending);
      expect(err.name).to.equal('ActorExitedError');
      await replacement(victim);
    });

    it('should take an actor that exits by itself for no stop, and keep its exit code', async () => {
      const [victim] = pool.managedActors as [ActorProxy];
      victim.tell('run', () => process.exit(3));
      await replacement(victim);
      await waitFor(() => exitsOf(victim.aid).length > 0, 10_000, 'its exit');
      expect(exitsOf(victim.aid)).to.have.length(1);
      expect(exitsOf(victim.aid)[0]).to.include({ exitCode: 3, signal: null });
    });

    it('should not take a stop the actor announced for a death', async () => {
      const logs = captureLogs('warn');
      try {
        const [victim] = pool.managedActors as [ActorProxy];
        victim.tell('run', (actor: Actor) => void actor.stop());
        await replacement(victim);
        await waitFor(() => exitsOf(victim.aid).length > 0, 10_000, 'its exit');
        expect(exitsOf(victim.aid)).to.have.length(1);
        expect(exitsOf(victim.aid)[0]).to.include({ exitCode: 0, signal: null });
        const said = logs.records.map((r) => r.message);
        expect(said.some((m) => m.includes('closed its hub connection'))).to.equal(false);
      } finally {
        logs.restore();
      }
    });

    it('should not take a stop the arbiter asked for, or a resize, for a death', async () => {
      const logs = captureLogs('warn');
      try {
        const [first] = pool.managedActors as [ActorProxy];
        await a.reload();
        const second = await replacement(first);
        await waitFor(() => exitsOf(first.aid).length > 0, 10_000, 'the exit of the first');
        pool.resize(0);
        await waitFor(() => exitsOf(second.aid).length > 0, 10_000, 'the exit of the second');
        for (const { aid } of [first, second]) {
          expect(exitsOf(aid)).to.have.length(1);
          expect(exitsOf(aid)[0]).to.include({ exitCode: 0, signal: null });
        }
        const said = logs.records.map((r) => r.message);
        expect(said.some((m) => m.includes('closed its hub connection'))).to.equal(false);
      } finally {
        logs.restore();
      }
    });
  });
});
