import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import {
  arbiter,
  captureLogs,
  ConfigError,
  ImproperlyConfiguredError,
  send,
  type Actor,
  type ActorExit,
  type ActorProxy,
  type Arbiter,
  type Monitor,
  type ResizeEvent,
} from '../../lib/index.js';
import { spares } from '../../lib/child/startWorker.js';
import { alive, waitFor } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));

const crashyModule = fileURLToPath(new URL('../fixtures/actors/crashy.js', import.meta.url));

const aids = (pool: Monitor): string[] => pool.managedActors.map((p) => p.aid);

describe('Monitor', () => {
  let a: Arbiter;
  const exits: ActorExit[] = [];

  before(async () => {
    a = arbiter({ signals: false, exitTimeout: 2000 });
    a.events.actorExited$.subscribe((e) => exits.push(e));
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  describe('addMonitor()', () => {
    it('should refuse a duplicate name', async () => {
      const pool = a.addMonitor('dup', { workers: 0 });
      expect(() => a.addMonitor('dup')).to.throw(ImproperlyConfiguredError);
      await pool.stop();
    });

    it('should take durations as the config files do ("3 seconds")', async () => {
      const pool = a.addMonitor('worded', { workers: 1, timeout: '3 seconds', period: '200 ms' });
      await pool.start();
      expect(pool.settings.period).to.equal(200);
      const cfg = (await send(pool.managedActors[0]!, 'run', (actor: Actor) => actor.cfg)) as {
        timeout: number;
      };
      expect(cfg.timeout).to.equal(3000);
      await pool.stop();
    });

    it('should refuse a bad duration, count or choice with a ConfigError naming each key', () => {
      let error: unknown;
      try {
        a.addMonitor('bad-values', {
          timeout: 'soon',
          period: 0,
          workers: -1,
          onRestartLimit: 'panic' as 'retry',
        });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ConfigError);
      const keys = (error as ConfigError).problems.map((p) => p.key);
      expect(keys).to.have.members(['timeout', 'period', 'workers', 'onRestartLimit']);
      expect(String(error)).to.contain('addMonitor("bad-values")');
      expect(a.monitors.has('bad-values')).to.equal(false);
    });

    it('should refuse minWorkers above maxWorkers', () => {
      expect(() => a.addMonitor('bad-bounds', { minWorkers: 3, maxWorkers: 2 })).to.throw(
        ImproperlyConfiguredError,
      );
    });
  });

  for (const concurrency of ['process', 'thread'] as const) {
    describe(`a pool of ${concurrency} workers`, () => {
      let pool: Monitor;

      before(async () => {
        // timeout: the heartbeat deadline the stuck worker misses, and the
        // handshake's: short enough to be quick, long enough for a worker
        // to start and beat on a busy machine (a late one is killed).
        pool = a.addMonitor(`pool-${concurrency}`, {
          workers: 2,
          concurrency,
          timeout: 3000,
          period: 100,
          module: workerModule,
        });
        await pool.start();
      });

      after(async () => {
        await pool.stop();
        for (const proxy of pool.managedActors)
          expect(alive(proxy.pid)).to.equal(concurrency === 'thread');
      });

      it('should keep `workers` actors alive, answering by name', async () => {
        expect(pool.managedActors).to.have.length(2);
        expect(await send(`pool-${concurrency}`, 'ping')).to.equal('pong');
        for (const proxy of pool.managedActors) expect(await send(proxy, 'ping')).to.equal('pong');
      });

      it('should report the tree in the arbiter info', async () => {
        const info = (await send('arbiter', 'info')) as {
          monitors: {
            name: string;
            workers: number;
            breaker: { state: string };
            actors: unknown[];
          }[];
        };
        const mine = info.monitors.find((m) => m.name === `pool-${concurrency}`);
        expect(mine?.workers).to.equal(2);
        expect(mine?.breaker.state).to.equal('closed');
        expect(mine?.actors).to.have.length(2);
        // The heartbeat's load figures: in-flight work, requests served, event-loop lag.
        expect(mine?.actors[0]).to.include.keys(
          'aid',
          'pid',
          'state',
          'age',
          'requests',
          'inFlight',
          'lag',
          'lastNotified',
          'memory',
        );
      });

      it('should replace a worker that dies, at once', async () => {
        const [victim] = pool.managedActors as [ActorProxy];
        victim.worker?.kill('SIGKILL');
        await waitFor(() => !aids(pool).includes(victim.aid) && pool.managedActors.length === 2);
        for (const proxy of pool.managedActors) expect(await send(proxy, 'ping')).to.equal('pong');
      });

      it('should kill and replace a worker stuck in an endless loop', async () => {
        const [stuck] = pool.managedActors as [ActorProxy];
        send(stuck, 'spin').addErrback(() => undefined);
        await waitFor(
          () => !aids(pool).includes(stuck.aid) && pool.managedActors.length === 2,
          20_000,
          'the stuck worker replaced',
        );
        // Its replacement starts once SIGKILL is sent, and may be ready before its exit is seen.
        await waitFor(() => exits.some((e) => e.aid === stuck.aid), 10_000, 'its exit');
        expect(await send('arbiter', 'ping')).to.equal('pong');
      });

      it('should resize, stopping the oldest first, and say so on resized$', async () => {
        const events: ResizeEvent[] = [];
        const sub = pool.events.resized$.subscribe((e) => events.push(e));
        pool.resize(3);
        await waitFor(() => pool.managedActors.length === 3);
        const oldest = aids(pool)[0];
        pool.resize(2);
        await waitFor(() => pool.managedActors.length === 2);
        expect(aids(pool)).not.to.include(oldest);
        sub.unsubscribe();
        expect(events.map((e) => [e.from, e.to, e.reason])).to.deep.equal([
          [2, 3, 'manual'],
          [3, 2, 'manual'],
        ]);
      });
    });
  }

  describe('spares', () => {
    for (const concurrency of ['process', 'thread'] as const) {
      it(`should keep a warm ${concurrency} apart from the workers, make it the replacement of a killed one, and end it with the pool`, async () => {
        const pool = a.addMonitor(`spare-${concurrency}`, {
          workers: 1,
          concurrency,
          period: 100,
          backoffBase: 0,
          module: workerModule,
        });
        try {
          await pool.start();
          await waitFor(() => spares.warm[concurrency] === 1, 20_000, 'a warm spare');
          expect(pool.managedActors).to.have.length(1);
          expect(pool.info()['workers']).to.equal(1);
          const [victim] = pool.managedActors as [ActorProxy];
          // The id the next thread would get; the time for a process.
          const probe = new Worker('', { eval: true });
          const nextThreadId = probe.threadId;
          await once(probe, 'exit');
          const killedAt = performance.timeOrigin + performance.now();
          victim.worker?.kill('SIGKILL');
          await waitFor(() => pool.managedActors.some((p) => p.aid !== victim.aid), 20_000);
          const [successor] = pool.managedActors as [ActorProxy];
          // Started before the kill: the spare became the successor.
          if (concurrency === 'thread') expect(successor.threadId).to.be.below(nextThreadId);
          else {
            const started = await send(successor, 'run', () => performance.timeOrigin);
            expect(started).to.be.below(killedAt);
          }
          expect(await send(successor, 'ping')).to.equal('pong');
          await waitFor(() => spares.count[concurrency] === 1, 20_000, 'the next spare');
        } finally {
          await pool.stop();
        }
        expect(spares.count[concurrency]).to.equal(0);
      });
    }

    /** A pool of one worker from the worker module, started, its spare warm. */
    async function poolOfOne(name: string, concurrency: 'process' | 'thread'): Promise<Monitor> {
      const pool = a.addMonitor(name, {
        workers: 1,
        concurrency,
        period: 100,
        backoffBase: 0,
        module: workerModule,
      });
      await pool.start();
      await waitFor(() => spares.warm[concurrency] === 1, 20_000, 'a warm spare');
      return pool;
    }

    for (const concurrency of ['process', 'thread'] as const) {
      it(`should start the replacement of a ${concurrency} its arbiter ends (SIGKILL, terminate()) at once, before its exit`, async () => {
        const pool = await poolOfOne(`early-${concurrency}`, concurrency);
        try {
          const [victim] = pool.managedActors as [ActorProxy];
          victim.worker?.kill('SIGKILL');
          expect(victim.worker?.exited).to.equal(false);
          expect(pool.spawningActors).to.have.length(1);
          await waitFor(() => pool.managedActors.some((p) => p.aid !== victim.aid), 20_000);
        } finally {
          await pool.stop();
        }
      });
    }

    it('should start the replacement of a process killed from outside at its exit, before actorExited$ tells the rest', async () => {
      const pool = await poolOfOne('outside-kill', 'process');
      try {
        const [victim] = pool.managedActors as [ActorProxy];
        let replacing: number | undefined;
        const sub = a.events.actorExited$.subscribe((e) => {
          if (e.aid === victim.aid) replacing = pool.spawningActors.length;
        });
        try {
          process.kill(victim.pid!, 'SIGKILL');
          await waitFor(() => replacing !== undefined, 20_000, 'the exit');
          expect(replacing).to.equal(1);
          await waitFor(() => pool.managedActors.some((p) => p.aid !== victim.aid), 20_000);
        } finally {
          sub.unsubscribe();
        }
      } finally {
        await pool.stop();
      }
    });

    it('should keep none with spares: 0', async () => {
      const pool = a.addMonitor('no-spare', { workers: 1, spares: 0, module: workerModule });
      try {
        await pool.start();
        expect(spares.count.process).to.equal(0);
      } finally {
        await pool.stop();
      }
    });
  });

  describe('minWorkers..maxWorkers', () => {
    it('should grow under load and shrink when idle, saying why', async function () {
      this.timeout(60_000);
      // The load is seen in the heartbeats (every timeout / 3): the work
      // lasts several of them, so a late one on a busy machine still finds
      // it in flight.
      const pool = a.addMonitor('elastic', {
        minWorkers: 1,
        maxWorkers: 2,
        cooldown: 200,
        period: 50,
        timeout: 3000,
        module: workerModule,
      });
      const events: ResizeEvent[] = [];
      pool.events.resized$.subscribe((e) => events.push(e));
      await pool.start();
      expect(pool.workers).to.equal(1);
      const [only] = pool.managedActors as [ActorProxy];
      const work = Array.from({ length: 6 }, () => send(only, 'slow', 4000, 'ok'));
      await waitFor(() => pool.managedActors.length === 2, 20_000, 'the growth');
      expect(await Promise.all(work)).to.deep.equal(Array(6).fill('ok'));
      await waitFor(() => pool.managedActors.length === 1, 20_000, 'the shrink');
      expect(events.map((e) => [e.from, e.to])).to.deep.equal([
        [1, 2],
        [2, 1],
      ]);
      expect(events[0]!.reason).to.match(/^load .* > 1$/);
      expect(events[1]!.reason).to.match(/^load .* < 0.1$/);
      await pool.stop();
    });
  });

  describe('a worker frozen with SIGSTOP', () => {
    it('should be killed when its heartbeat is late, and replaced', async function () {
      this.timeout(60_000);
      // timeout is the handshake's deadline too: room for its successor to
      // start on a busy machine.
      const pool = a.addMonitor('frozen', { workers: 1, timeout: 3000, period: 100 });
      await pool.start();
      const [frozen] = pool.managedActors as [ActorProxy];
      process.kill(frozen.pid!, 'SIGSTOP');
      await waitFor(
        () => pool.managedActors.length === 1 && aids(pool)[0] !== frozen.aid,
        20_000,
        'its successor',
      );
      await waitFor(() => !alive(frozen.pid), 20_000, 'the frozen worker killed');
      expect(await send(pool.managedActors[0]!, 'ping')).to.equal('pong');
      await pool.stop();
    });
  });

  describe('maxRequests', () => {
    it('should replace a worker after maxRequests, the successor ready first', async () => {
      const pool = a.addMonitor('recycled', {
        workers: 1,
        maxRequests: 5,
        maxRequestsJitter: 0,
        // Its requests are counted from heartbeats (every timeout / 3); a
        // worker killed for a late one on a busy machine would exit first.
        timeout: 3000,
        period: 50,
      });
      await pool.start();
      const [first] = pool.managedActors as [ActorProxy];
      const order: string[] = [];
      const subs = [
        a.events.actorSpawned$.subscribe(() => order.push('successor ready')),
        a.events.actorExited$.subscribe((e) => e.aid === first.aid && order.push('first exited')),
      ];
      for (let i = 0; i < 6; i++) await send(first, 'ping');
      await waitFor(
        () => !aids(pool).includes(first.aid) && order.includes('first exited'),
        20_000,
        'the first replaced',
      );
      subs.forEach((sub) => sub.unsubscribe());
      expect(order).to.deep.equal(['successor ready', 'first exited']);
      const exit = exits.find((e) => e.aid === first.aid);
      expect(exit?.exitCode).to.equal(0);
      expect(pool.managedActors).to.have.length(1);
      await pool.stop();
    });
  });

  describe('a start hook that throws every time', () => {
    it('should back off, then open the breaker and say why in info', async () => {
      const pool = a.addMonitor('broken', {
        workers: 1,
        maxRestarts: 3,
        backoffBase: 10,
        start: () => {
          throw new Error('cannot start');
        },
      });
      const started = pool.start();
      let failure: unknown;
      await started.then(undefined, (err: unknown) => {
        failure = err;
      });
      // The start fails at once with the worker's error; respawns go on until the breaker opens.
      expect(String(failure)).to.contain('cannot start');
      await waitFor(() => pool.restartPolicy.open);
      const info = pool.info() as { breaker: { state: string; reason: string }; restarts: number };
      expect(info.breaker.state).to.equal('open');
      expect(info.breaker.reason).to.contain('cannot start');
      expect(pool.managedActors).to.have.length(0);
      expect(pool.spawningActors).to.have.length(0);
      expect(await send('arbiter', 'ping')).to.equal('pong');
      await pool.stop();
    });
  });

  describe('a worker that exits during its handshake', () => {
    it('should open the breaker instead of spinning', async () => {
      const pool = a.addMonitor('quitter', {
        workers: 1,
        concurrency: 'thread',
        maxRestarts: 2,
        backoffBase: 10,
        start: () => process.exit(3),
      });
      await pool.start().then(undefined, () => undefined);
      await waitFor(() => pool.restartPolicy.open);
      expect(await send('arbiter', 'ping')).to.equal('pong');
      await pool.stop();
    });
  });

  describe('a pool whose workers crash again and again', () => {
    it('should open the breaker, retry half-open, and come back to its target once crashes stop', async function () {
      // Its waits, not a timing: each is bounded, their sum is not mocha's default.
      this.timeout(80_000);
      const dir = mkdtempSync(join(tmpdir(), 'rxp-crashy-'));
      const crashFile = join(dir, 'crash');
      writeFileSync(crashFile, '');
      const logs = captureLogs('debug');
      const pool = a.addMonitor('crashy', {
        workers: 2,
        module: crashyModule,
        crashFile,
        maxRestarts: 3,
        restartWindow: 1500,
        restartCooldown: 200,
        backoffBase: 20,
        period: 100,
      });
      try {
        await pool.start().then(undefined, () => undefined);
        await waitFor(() => pool.restartPolicy.state === 'open', 15_000, 'breaker open');
        const info = pool.info() as { breaker: { state: string; reason: string } };
        expect(info.breaker.state).to.equal('open');
        expect(info.breaker.reason).to.contain('exited (code 3)');
        // After the cool-down it tries again (half-open), crashes, opens again.
        const said = (text: string): boolean => logs.records.some((r) => r.message.includes(text));
        await waitFor(() => said('open → half-open'), 15_000, 'half-open');
        await waitFor(() => said('half-open → open'), 15_000, 'open again');
        rmSync(crashFile);
        await waitFor(
          () => pool.managedActors.length === 2 && pool.restartPolicy.state === 'closed',
          20_000,
          'the pool back at 2 workers, breaker closed',
        );
        await waitFor(() => said('half-open → closed'), 20_000, 'the breaker closed, logged');
      } catch (err) {
        // What the pool went through, to tell a slow machine from a stuck breaker.
        const seen = logs.records.map((r) => r.message).filter((m) => /→|exited|spawn/.test(m));
        (err as Error).message +=
          ` (workers ${pool.managedActors.length}, breaker ${pool.restartPolicy.state};` +
          ` log: ${seen.slice(-30).join(' | ')})`;
        throw err;
      } finally {
        logs.restore();
        await pool.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the hub socket deleted under the arbiter', () => {
    it('should listen again so that new workers can join', async () => {
      const pool = a.addMonitor('rebound', { workers: 1 });
      await pool.start();
      rmSync(a.hubPath!);
      pool.resize(2);
      await waitFor(() => pool.managedActors.length === 2);
      for (const proxy of pool.managedActors) expect(await send(proxy, 'ping')).to.equal('pong');
      await pool.stop();
    });
  });
});
