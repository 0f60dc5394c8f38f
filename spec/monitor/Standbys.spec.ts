import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  arbiter,
  send,
  type Actor,
  type ActorExit,
  type ActorProxy,
  type Arbiter,
  type Monitor,
} from '../../lib/index.js';
import { MetricsAggregate } from '../../lib/metrics/MetricsAggregate.js';
import { alive, sleep, waitFor } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));

/** The pids of this process's children whose title names them actors of `name` (an actor's title: `rxpulsar: NAME actor AID`). */
function actorPids(name: string): string[] {
  const pids: string[] = [];
  for (const pid of readdirSync('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, the rest follows its ')'.
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid !== String(process.pid)) continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith(`rxpulsar: ${name} actor `)) pids.push(pid);
    } catch {
      // not a process, or gone
    }
  }
  return pids;
}

const aids = (proxies: ActorProxy[]): string[] => proxies.map((p) => p.aid);

/** The pool's standby, once it is ready. */
async function readyStandby(pool: Monitor): Promise<ActorProxy> {
  await waitFor(() => pool.standbyActors.length === 1, 20_000, 'a ready standby');
  return pool.standbyActors[0]!;
}

/**
 * Start a pool of one worker and one standby.
 * @returns its standby, once ready, and its worker.
 */
async function startWithStandby(pool: Monitor): Promise<[standby: ActorProxy, worker: ActorProxy]> {
  await pool.start();
  return [await readyStandby(pool), pool.managedActors[0]!];
}

/** What the actor served before this request (a `run` request is counted once answered). */
const served = (proxy: ActorProxy): PromiseLike<unknown> =>
  send(proxy, 'run', (actor: Actor) => actor.served);

describe('Standbys', () => {
  let a: Arbiter;
  const spawned: string[] = [];
  const exits: ActorExit[] = [];

  before(async () => {
    a = arbiter({ signals: false, exitTimeout: 2000 });
    a.events.actorSpawned$.subscribe((p) => spawned.push(p.aid));
    a.events.actorExited$.subscribe((e) => exits.push(e));
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  for (const concurrency of ['process', 'thread'] as const) {
    describe(`a pool of ${concurrency} workers with standby: 1`, () => {
      let pool: Monitor;
      const name = `standby-${concurrency}`;

      before(async () => {
        pool = a.addMonitor(name, {
          workers: 2,
          concurrency,
          standby: 1,
          timeout: 3000,
          period: 100,
          module: workerModule,
          start: (actor: Actor) => {
            actor.extra['startedAt'] = Date.now();
          },
        });
        await pool.start();
      });

      after(async () => {
        const left = [...pool.managedActors, ...pool.standbyActors];
        await pool.stop();
        expect(pool.standbyActors).to.have.length(0);
        for (const proxy of left) {
          expect(alive(proxy.pid)).to.equal(concurrency === 'thread');
          expect(proxy.worker?.exited).to.equal(true);
        }
      });

      describe('fill()', () => {
        it('should keep a started standby apart from the workers: not counted, not announced, not in the arbiter actors', async () => {
          const ready = await readyStandby(pool);
          expect(
            await send(ready, 'run', (actor: Actor) => typeof actor.extra['startedAt']),
          ).to.equal('number');
          expect(aids(pool.managedActors)).not.to.include(ready.aid);
          expect(pool.managedActors).to.have.length(2);
          expect(pool.info()['workers']).to.equal(2);
          expect(pool.info()['standby']).to.equal(1);
          expect(aids(pool.info()['actors'] as ActorProxy[])).not.to.include(ready.aid);
          expect(aids(a.actors)).not.to.include(ready.aid);
          expect(spawned).not.to.include(ready.aid);
          expect((a.info() as { actors: number }).actors).to.equal(a.actors.length);
        });

        it('should give it no work: requests by the pool or the worker name go to the workers', async () => {
          const ready = await readyStandby(pool);
          const before = await served(ready);
          for (let i = 0; i < 10; i++) {
            expect(await send(name, 'ping')).to.equal('pong');
            expect(await send(`${name}-worker`, 'ping')).to.equal('pong');
          }
          // The one request more is the first `served` itself.
          expect(await served(ready)).to.equal(Number(before) + 1);
        });
      });

      describe('take()', () => {
        it('should make the standby the replacement of a SIGKILLed worker at once, announced then, and start another', async () => {
          const ready = await readyStandby(pool);
          const [victim] = pool.managedActors as [ActorProxy];
          if (concurrency === 'thread') victim.worker?.kill('SIGKILL');
          else process.kill(victim.pid!, 'SIGKILL');
          await waitFor(() => !aids(pool.managedActors).includes(victim.aid), 20_000, 'the heal');
          expect(aids(pool.managedActors)).to.include(ready.aid);
          expect(pool.managedActors).to.have.length(2);
          expect(pool.spawningActors).to.have.length(0);
          expect(spawned).to.include(ready.aid);
          expect(await send(ready, 'ping')).to.equal('pong');
          const next = await readyStandby(pool);
          expect(next.aid).not.to.equal(ready.aid);
          expect(aids(pool.managedActors)).not.to.include(next.aid);
          await waitFor(() => exits.some((e) => e.aid === victim.aid), 20_000, 'the exit');
        });

        it('should be what a spawn() of the pool takes', async () => {
          const ready = await readyStandby(pool);
          pool.resize(3);
          await waitFor(() => aids(pool.managedActors).includes(ready.aid), 20_000, 'the adoption');
          expect(pool.managedActors).to.have.length(3);
          pool.resize(2);
          await waitFor(() => pool.managedActors.length === 2, 20_000, 'the shrink');
          await readyStandby(pool);
        });
      });

      describe('lost()', () => {
        it('should replace a standby that dies by itself, unannounced', async () => {
          const ready = await readyStandby(pool);
          const workers = aids(pool.managedActors);
          if (concurrency === 'thread') ready.worker?.kill('SIGKILL');
          else process.kill(ready.pid!, 'SIGKILL');
          await waitFor(() => ready.worker?.exited === true, 20_000, 'its exit');
          const next = await readyStandby(pool);
          expect(next.aid).not.to.equal(ready.aid);
          expect(aids(pool.managedActors)).to.deep.equal(workers);
          expect(exits.map((e) => e.aid)).not.to.include(ready.aid);
        });
      });
    });
  }

  describe('fill()', () => {
    it('should back off on its own when standbys fail to start: no restart counted, the breaker closed, a death healed', async () => {
      // Every spawn after the first two workers fails its start hook while `down`.
      let down = true;
      let spawns = 0;
      let attempts = 0;
      const pool = a.addMonitor('standby-failing', {
        workers: 2,
        standby: 1,
        concurrency: 'thread',
        period: 100,
        maxRestarts: 2,
        backoffBase: 100,
        backoffMax: 300,
        restartCooldown: 60_000,
        module: workerModule,
        actorParams: (_monitor, params) => {
          if (++spawns > 2 && down) {
            attempts++;
            params['failStart'] = true;
          }
        },
        start: (actor: Actor) => {
          if (actor.cfg['failStart'] === true) throw new Error('resource down');
        },
      });
      try {
        await pool.start();
        const workers = aids(pool.managedActors);
        // Four standbys failed (past maxRestarts, were they restarts), or the breaker opened.
        await waitFor(
          () => attempts >= 5 || pool.restartPolicy.state !== 'closed',
          20_000,
          'standbys tried again',
        );
        expect(pool.restartPolicy.state).to.equal('closed');
        expect(pool.restartPolicy.recentRestarts).to.equal(0);
        expect(pool.standbyActors).to.have.length(0);
        expect(aids(pool.managedActors)).to.deep.equal(workers);
        down = false;
        const [victim] = pool.managedActors as [ActorProxy];
        victim.worker?.kill('SIGKILL');
        await waitFor(
          () => pool.managedActors.length === 2 && !aids(pool.managedActors).includes(victim.aid),
          20_000,
          'the heal',
        );
        expect(pool.restartPolicy.recentRestarts).to.equal(1);
        expect(pool.restartPolicy.state).to.equal('closed');
        await waitFor(
          () => pool.standbyActors.length === 1,
          20_000,
          'a standby, once it can start',
        );
      } finally {
        await pool.stop();
      }
    });
  });

  describe('take()', () => {
    it('should leave the backoff of the death it healed to the successor standby (a crash loop slows down)', async () => {
      const standbySpawns: number[] = [];
      const spawn = a.spawn.bind(a);
      a.spawn = (params, options) => {
        if (options?.standby === true) standbySpawns.push(Date.now());
        return spawn(params, options);
      };
      const pool = a.addMonitor('standby-backoff', {
        workers: 1,
        standby: 1,
        concurrency: 'thread',
        period: 100,
        maxRestarts: 100,
        backoffBase: 60_000,
        backoffMax: 60_000,
        module: workerModule,
      });
      try {
        const [ready, victim] = await startWithStandby(pool);
        const before = standbySpawns.length;
        victim.worker?.kill('SIGKILL');
        await waitFor(() => aids(pool.managedActors).join() === ready.aid, 20_000, 'the adoption');
        // The death's backoff (30 s at least) holds: no successor starts meanwhile.
        expect(pool.restartPolicy.nextSpawnAt).to.be.above(Date.now());
        await sleep(1000);
        expect(standbySpawns).to.have.length(before);
        expect(pool.standbyActors).to.have.length(0);
        expect(pool.restartPolicy.recentRestarts).to.equal(1);
      } finally {
        Reflect.deleteProperty(a, 'spawn');
        await pool.stop();
      }
    });
  });

  describe('check()', () => {
    it('should adopt the standby in place of a worker killed for its heartbeat, and replace a frozen standby', async function () {
      this.timeout(60_000);
      // timeout: the heartbeat deadline the frozen ones miss, and the
      // handshake's: room for a standby to start on a busy machine.
      const pool = a.addMonitor('standby-frozen', {
        workers: 1,
        standby: 1,
        concurrency: 'process',
        timeout: 3000,
        killGrace: 200,
        period: 100,
        backoffBase: 0,
        module: workerModule,
      });
      const frozen: number[] = [];
      const freeze = (proxy: ActorProxy): void => {
        frozen.push(proxy.pid!);
        process.kill(proxy.pid!, 'SIGSTOP');
      };
      try {
        const [ready, victim] = await startWithStandby(pool);
        freeze(victim);
        await waitFor(() => aids(pool.managedActors).includes(ready.aid), 20_000, 'the adoption');
        // The frozen worker is listed until its exit (SIGKILL after killGrace).
        await waitFor(() => victim.worker?.exited === true, 20_000, 'the frozen worker killed');
        expect(aids(pool.managedActors)).to.deep.equal([ready.aid]);
        await waitFor(() => pool.standbyActors.length === 1, 20_000, 'the next standby');
        const [next] = pool.standbyActors as [ActorProxy];
        freeze(next);
        await waitFor(() => next.worker?.exited === true, 20_000, 'the frozen standby killed');
        await waitFor(
          () => pool.standbyActors.length === 1 && pool.standbyActors[0]!.aid !== next.aid,
          20_000,
          'its replacement',
        );
        expect(aids(pool.managedActors)).to.deep.equal([ready.aid]);
      } finally {
        for (const pid of frozen) if (alive(pid)) process.kill(pid, 'SIGCONT');
        await pool.stop();
      }
    });

    it('should never adopt a frozen standby being killed: a worker that dies meanwhile gets a fresh successor', async function () {
      this.timeout(60_000);
      const pool = a.addMonitor('standby-dying', {
        workers: 1,
        standby: 1,
        concurrency: 'process',
        timeout: 3000,
        killGrace: 60_000,
        period: 100,
        backoffBase: 0,
        module: workerModule,
      });
      let spinning: number | undefined;
      try {
        await pool.start();
        const ready = await readyStandby(pool);
        const worker = ready.worker!;
        let terminated = false;
        const terminate = worker.terminate.bind(worker);
        worker.terminate = (grace) => {
          terminated = true;
          return terminate(grace);
        };
        // Busy: it can handle no SIGTERM, and dies of the SIGKILL after killGrace.
        spinning = ready.pid;
        void send(ready, 'spin').then(undefined, () => undefined);
        await waitFor(() => terminated, 20_000, 'the frozen standby terminated');
        expect(aids(pool.standbyActors)).not.to.include(ready.aid);
        const [victim] = pool.managedActors as [ActorProxy];
        process.kill(victim.pid!, 'SIGKILL');
        await waitFor(
          () => pool.managedActors.length === 1 && pool.managedActors[0]!.aid !== victim.aid,
          20_000,
          'the heal',
        );
        const [successor] = pool.managedActors as [ActorProxy];
        expect(successor.aid).not.to.equal(ready.aid);
        expect(await send(successor, 'ping')).to.equal('pong');
        expect(worker.exited).to.equal(false);
      } finally {
        if (alive(spinning)) process.kill(spinning!, 'SIGKILL');
        await pool.stop();
      }
    });
  });

  describe('metrics', () => {
    it('should count a standby in its pool only once adopted, and the death it healed as a restart', async () => {
      const agg = new MetricsAggregate(a);
      const pool = a.addMonitor('standby-metrics', {
        workers: 1,
        standby: 1,
        concurrency: 'thread',
        period: 100,
        backoffBase: 0,
        module: workerModule,
      });
      const mine = (): string[] =>
        agg
          .actors()
          .filter((s) => s.monitor === pool.name)
          .map((s) => s.actor);
      try {
        const [ready, victim] = await startWithStandby(pool);
        expect(mine()).to.deep.equal([victim.aid]);
        victim.worker?.kill('SIGKILL');
        await waitFor(() => mine().includes(ready.aid), 20_000, 'the adoption, labelled');
        await waitFor(() => !mine().includes(victim.aid), 20_000, 'the exit');
        expect(mine()).to.deep.equal([ready.aid]);
        expect(agg.pools().find((p) => p.monitor === pool.name)?.restarts).to.equal(1);
      } finally {
        agg.close();
        await pool.stop();
      }
    });
  });

  describe('stopAll()', () => {
    it('should stop the standbys of a reloaded pool (old code) and start new ones', async () => {
      const pool = a.addMonitor('standby-reload', {
        workers: 1,
        standby: 1,
        concurrency: 'thread',
        period: 100,
        module: workerModule,
      });
      try {
        const [old, worker] = await startWithStandby(pool);
        pool.restartWorkers();
        await waitFor(
          () => !aids(pool.managedActors).includes(worker.aid) && pool.managedActors.length === 1,
          20_000,
          'the restart',
        );
        expect(aids(pool.managedActors)).not.to.include(old.aid);
        await waitFor(() => old.worker?.exited === true, 20_000, 'the old standby stopped');
        await waitFor(
          () => pool.standbyActors.length === 1 && pool.standbyActors[0]!.aid !== old.aid,
          20_000,
          'a new standby',
        );
      } finally {
        await pool.stop();
      }
    });

    it('should leave no process behind when a pool stops while its standbys start', async () => {
      const pool = a.addMonitor('standby-stop', {
        workers: 1,
        standby: 2,
        concurrency: 'process',
        module: workerModule,
      });
      await pool.start();
      // One standby ready, the other one most likely still starting.
      await waitFor(() => pool.standbyActors.length >= 1, 20_000, 'a standby');
      const ready = pool.standbyActors;
      expect(actorPids('standby-stop-worker').length).to.be.at.least(2);
      await pool.stop();
      expect(pool.standbyActors).to.have.length(0);
      for (const proxy of ready) expect(proxy.worker?.exited).to.equal(true);
      await waitFor(
        () => actorPids('standby-stop-worker').length === 0,
        20_000,
        'no process of the pool left',
      );
    });
  });
});
