/**
 * The bounds of a pool: at most MAX_POOL_WORKERS workers however the size
 * is set, and at most `maxSpawning` spawns in flight (MAX_SPAWNING by
 * default), so that a pool grown by hundreds leaves the arbiter's loop free.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  arbiter,
  ConfigError,
  ImproperlyConfiguredError,
  MAX_POOL_WORKERS,
  MAX_SPAWNING,
  type Arbiter,
  type ResizeEvent,
} from '../../lib/index.js';
import { waitFor } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));

/** The ConfigError `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('it should have thrown a ConfigError');
}

describe('Monitor (limits)', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false, exitTimeout: 2000 });
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  describe('addMonitor()', () => {
    it(`should refuse workers, minWorkers and maxWorkers above MAX_POOL_WORKERS (${MAX_POOL_WORKERS}), and 1e20`, () => {
      expect(MAX_POOL_WORKERS).to.equal(1024);
      // Not started either way: were the bound gone, nothing would spawn.
      const big = configError(() =>
        a.addMonitor(
          'too-big',
          { workers: 1025, minWorkers: 2000, maxWorkers: 3000 },
          { start: false },
        ),
      );
      expect(big.problems.map((p) => p.key)).to.deep.equal(['workers', 'minWorkers', 'maxWorkers']);
      expect(big.message.split('\n')[0]).to.equal(
        'workers = 1025 (addMonitor("too-big")): must be at most 1024 (MAX_POOL_WORKERS, the most workers a pool has)',
      );
      const huge = configError(() => a.addMonitor('huge', { workers: 1e20 }, { start: false }));
      expect(huge.problems).to.have.length(1);
      expect(huge.problems[0]).to.deep.include({ key: 'workers', value: 1e20 });
      const unsafe = configError(() =>
        a.addMonitor('unsafe', { maxRequests: 2 ** 53 }, { start: false }),
      );
      expect(unsafe.message)
        .to.contain('maxRequests = 9007199254740992')
        .and.contain('must be at most 9007199254740991');
      expect(() => a.addMonitor('stalled', { maxSpawning: 0 }, { start: false })).to.throw(
        ConfigError,
        'maxSpawning = 0 (addMonitor("stalled")): must be at least 1',
      );
      // Spares and standbys start as workers do: the same bound.
      const extra = configError(() =>
        a.addMonitor('extra', { spares: 1025, standby: 1e6 }, { start: false }),
      );
      expect(extra.problems.map((p) => p.key)).to.deep.equal(['spares', 'standby']);
      for (const name of ['too-big', 'huge', 'unsafe', 'stalled', 'extra'])
        expect(a.monitors.has(name)).to.equal(false);
    });
  });

  describe('resize()', () => {
    it('should refuse more than MAX_POOL_WORKERS or NaN, keeping the size and saying nothing on resized$', async () => {
      const pool = a.addMonitor('resized', { workers: 0 }, { start: false });
      const events: ResizeEvent[] = [];
      pool.events.resized$.subscribe((e) => events.push(e));
      try {
        for (const n of [MAX_POOL_WORKERS + 1, 1e9, Infinity, NaN]) {
          expect(() => pool.resize(n)).to.throw(
            ImproperlyConfiguredError,
            `pool "resized" cannot have ${n} workers: a pool has at most 1024 (MAX_POOL_WORKERS)`,
          );
        }
        expect(pool.workers).to.equal(0);
        expect(events).to.deep.equal([]);
        // The bound itself is a size (the pool is not started: nothing spawns).
        pool.resize(MAX_POOL_WORKERS);
        expect(pool.workers).to.equal(MAX_POOL_WORKERS);
      } finally {
        await pool.stop();
      }
    });
  });

  describe('spawnActors()', () => {
    /** A pool of thread workers whose spawns push the number already in flight to `inFlight`. */
    const threadPool = (name: string, workers: number, maxSpawning: number, inFlight: number[]) =>
      a.addMonitor(name, {
        workers,
        spares: 0,
        maxSpawning,
        concurrency: 'thread',
        module: workerModule,
        // actorParams runs in spawn(): the spawns in flight as each new one starts.
        actorParams: (monitor) =>
          inFlight.push(a.monitors.get(monitor.name)!.spawningActors.length),
      });

    it('should have at most maxSpawning spawns in flight, and go on to the size as they settle', async function () {
      this.timeout(30_000);
      expect(MAX_SPAWNING).to.equal(64);
      const inFlight: number[] = [];
      const pool = threadPool('burst', 0, 2, inFlight);
      try {
        await pool.start();
        pool.resize(5);
        expect(pool.spawningActors).to.have.length(2);
        await waitFor(() => pool.managedActors.length === 5, 20_000);
        expect(inFlight).to.have.length(5);
        expect(Math.max(...inFlight)).to.equal(1); // the second of two
        expect(pool.spawningActors).to.have.length(0);
      } finally {
        await pool.stop();
      }
    });

    it('should start a pool of up to maxSpawning workers all at once, as before', async function () {
      this.timeout(30_000);
      const inFlight: number[] = [];
      const pool = threadPool('at-once', 3, 3, inFlight);
      try {
        expect(pool.spawningActors).to.have.length(3);
        await pool.start();
        expect(inFlight).to.deep.equal([0, 1, 2]);
        expect(pool.managedActors).to.have.length(3);
      } finally {
        await pool.stop();
      }
    });
  });
});
