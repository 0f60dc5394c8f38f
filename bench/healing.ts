/**
 * Scenario `healing`: how fast a pool of 2 workers heals. A worker is
 * killed (`SIGKILL` for a process, `terminate()` for a thread) and the time
 * runs until its replacement answers `ping` (the pool keeps its default
 * warm spare, which becomes the replacement); the baselines are a plain
 * `spawn()` of the same kind until ready and its first `ping`, cold and
 * from a warm spare, measured in the same run, interleaved with the kills;
 * and the floor of any replacement, interleaved too: for a process, a bare
 * `fork()` killed the same way, until its `exit` is seen (the kernel's end
 * of the process, then libuv's `SIGCHLD`); no supervisor can replace a
 * killed process before it sees the exit: against that floor plus a spawn
 * from a warm spare (each round's own), the heal pays only what is its own.
 * For a thread, a spawn from a warm spare while a bare `Worker` is
 * terminated at the same moment: its teardown shares the cores with the
 * replacement, as the killed thread's does. The same kills in a pool with a standby
 * (`standby: 1`: a worker started ahead, adopted at the death), interleaved
 * too, against the same warm-spare spawns. Then a process worker frozen
 * with `SIGSTOP`: the time until its replacement answers `ping`, bounded by
 * the heartbeat timeout (no baseline). Every pool and actor is stopped
 * before the scenario resolves.
 * @module
 */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { send, spawn, type ActorProxy, type Arbiter, type Monitor } from '../lib/index.js';
import { spares } from '../lib/child/startWorker.js';
import { endChild, firstMessage, fixture } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median, msSince, sleep } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

type Kind = 'process' | 'thread';

const REPS = 8;
const STOP_REPS = 3;
/** A pause before each measure, for what the previous one stopped to finish (threads torn down). */
const SETTLE_MS = 100;
/** Worker handshake/heartbeat deadline of the kill pools, in ms. */
const TIMEOUT = 1500;
/** Heartbeat deadline of the SIGSTOP pool, in ms. */
const STOP_TIMEOUT = 1000;
/** Longest wait for a pool to heal, in ms. */
const HEAL_DEADLINE = 10_000;

/** Wait, polling every millisecond, until `check` holds; throws past `ms`. */
async function until<T>(check: () => T | undefined, what: string, ms = HEAL_DEADLINE): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`healing: ${what} not within ${ms} ms`);
    await sleep(1);
  }
}

/** Wait until the pool is at size with nothing spawning. */
async function settled(pool: Monitor): Promise<ActorProxy[]> {
  return until(() => {
    const actors = pool.managedActors;
    return actors.length === pool.workers && pool.spawningActors.length === 0 ? actors : undefined;
  }, `pool "${pool.name}" settled`);
}

/**
 * Hurt the oldest worker of the pool and time until a worker that was not
 * there before answers `ping`.
 *
 * @param pool - a settled pool.
 * @param hurt - kills or freezes the victim (the clock starts just before).
 * @returns the victim, the time in ms, and when (ms after the hurt) its exit was seen.
 */
async function heal(
  a: Arbiter,
  pool: Monitor,
  hurt: (victim: ActorProxy) => void,
): Promise<{ victim: ActorProxy; ms: number; exitMs: number }> {
  await settled(pool);
  await sleep(SETTLE_MS);
  const before = await settled(pool);
  const known = new Set(before.map((p) => p.aid));
  const victim = before[0];
  if (victim === undefined) throw new Error(`healing: pool "${pool.name}" is empty`);
  const fresh = (): ActorProxy | undefined => pool.managedActors.find((p) => !known.has(p.aid));
  // Woken by the handshake (the pool adopts its worker first), not by polling.
  let wake = (): void => undefined;
  const spawned = a.events.actorSpawned$.subscribe(() => wake());
  let exitMs = NaN;
  try {
    const t0 = process.hrtime.bigint();
    victim.worker?.exit$.subscribe(() => (exitMs = msSince(t0)));
    hurt(victim);
    const deadline = Date.now() + HEAL_DEADLINE;
    let proxy: ActorProxy | undefined;
    while ((proxy = fresh()) === undefined) {
      if (Date.now() > deadline) throw new Error(`healing: no replacement of ${victim.aid}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await send(proxy, 'ping');
    return { victim, ms: msSince(t0), exitMs };
  } finally {
    spawned.unsubscribe();
  }
}

/**
 * A plain spawn to ready plus its first `ping`, in ms; the actor is stopped after.
 * @param warm - from a warm spare (kept for it, warm before the clock starts).
 * @param pools - the pools whose spares are kept meanwhile (each has one).
 * @param alongside - started with the clock, not waited for (a bare
 *   `Worker` terminated, for the floor of a thread's heal): resolves once
 *   it is over, awaited after the measure.
 */
async function plainSpawn(
  concurrency: Kind,
  warm = false,
  pools = 1,
  alongside?: () => Promise<unknown>,
): Promise<number> {
  if (warm) {
    const release = spares.keep(concurrency);
    try {
      // All warm: the pools' spares and the one kept here.
      await until(() => (spares.warm[concurrency] > pools ? true : undefined), 'a warm spare');
      return await plainSpawn(concurrency, false, pools, alongside);
    } finally {
      await release();
    }
  }
  await sleep(SETTLE_MS);
  const t0 = process.hrtime.bigint();
  const along = alongside?.();
  const proxy = await spawn({ name: `plain-${concurrency}`, concurrency, timeout: TIMEOUT });
  try {
    await send(proxy, 'ping');
    return msSince(t0);
  } finally {
    await Promise.all([proxy.stop(), along]);
  }
}

/**
 * The floor of a thread's heal: a spawn from a warm spare (and its `ping`)
 * while a bare `Worker`, ready, is terminated at the same moment; in ms.
 * A terminated thread's teardown (its isolate freed, 1.5-2.5 ms of a core
 * here) runs beside whatever replaces it, on the same cores.
 */
async function warmBesideTeardown(pools: number): Promise<number> {
  const worker = new Worker(fixture('ready-worker'));
  try {
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return await plainSpawn('thread', true, pools, () => worker.terminate());
  } finally {
    await worker.terminate();
  }
}

/**
 * The floor of a heal after SIGKILL: a bare fork, ready, killed the same
 * way; the time until its `exit` is seen, in ms.
 */
async function bareKilled(): Promise<number> {
  const child = fork(fixture('ready-fork'), [], { stdio: 'inherit' });
  try {
    await firstMessage(child);
    await sleep(SETTLE_MS);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const t0 = process.hrtime.bigint();
    child.kill('SIGKILL');
    await exited;
    return msSince(t0);
  } finally {
    await endChild(child);
  }
}

function kill(victim: ActorProxy): void {
  if (victim.concurrency === 'thread') victim.worker?.kill('SIGKILL');
  else if (victim.pid !== undefined) process.kill(victim.pid, 'SIGKILL');
}

/** Kill and time the replacements, interleaved with plain spawns of the same kind. */
async function killed(a: Arbiter, concurrency: Kind): Promise<Row[]> {
  const pool = a.addMonitor(`heal-${concurrency}`, {
    workers: 2,
    concurrency,
    timeout: TIMEOUT,
    period: 100,
    maxRestarts: REPS * 4,
    backoffBase: 0, // the replacement itself is measured, not the crash-loop backoff
  });
  const standbyPool = a.addMonitor(`heal-standby-${concurrency}`, {
    workers: 2,
    standby: 1,
    concurrency,
    timeout: TIMEOUT,
    period: 100,
    maxRestarts: REPS * 4,
    backoffBase: 0,
  });
  /** A kill in the pool with a standby: the time to its adopted replacement's `ping`. */
  const adopted: number[] = [];
  const adoptedExit: number[] = [];
  /**
   * Both pools back to rest: the standby pool's standby ready (its successor
   * starts 50 ms after an adoption) and both pools' spares warm (a spare's
   * successor starts 50 ms after it became an actor): no child of the one
   * pool boots while the other one is measured.
   */
  const quiet = (): Promise<unknown> =>
    until(
      () =>
        standbyPool.standbyActors.length > 0 && spares.warm[concurrency] > 1 ? true : undefined,
      'a standby and warm spares',
    );
  const replaced: number[] = [];
  /** The same, less the time until the exit was seen. */
  const afterExit: number[] = [];
  const exitSeen: number[] = [];
  const plain: number[] = [];
  const warm: number[] = [];
  /**
   * A process: a bare fork's exit seen after SIGKILL, then the same round's
   * warm-spare spawn. A thread: a warm-spare spawn beside a bare `Worker`'s
   * teardown (terminated as it starts).
   */
  const floor: number[] = [];
  const bareExit: number[] = [];
  try {
    await pool.start();
    await standbyPool.start();
    // Warm-up: one of each.
    await heal(a, pool, kill);
    await quiet();
    await heal(a, standbyPool, kill);
    await plainSpawn(concurrency);
    await plainSpawn(concurrency, true, 2);
    for (let rep = 0; rep < REPS; rep++) {
      // The pools' spares are warm before the kill, as the plain spawn's is.
      await quiet();
      const { ms, exitMs } = await heal(a, pool, kill);
      replaced.push(ms);
      exitSeen.push(exitMs);
      afterExit.push(ms - exitMs);
      plain.push(await plainSpawn(concurrency));
      warm.push(await plainSpawn(concurrency, true, 2));
      if (concurrency === 'process') {
        const bare = await bareKilled();
        bareExit.push(bare);
        floor.push(bare + (warm.at(-1) ?? NaN));
      } else {
        floor.push(await warmBesideTeardown(2));
      }
      await quiet();
      const withStandby = await heal(a, standbyPool, kill);
      adopted.push(withStandby.ms);
      adoptedExit.push(withStandby.exitMs);
    }
  } finally {
    await Promise.all([pool.stop(), standbyPool.stop()]);
  }
  const how = concurrency === 'process' ? 'SIGKILL' : 'terminate()';
  const range = (base: number[], of = replaced): string => {
    const r = of.map((v, i) => v / (base[i] ?? NaN));
    return `per round ${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}×`;
  };
  const rows = [
    compare(
      `replacement after ${how} (${concurrency}) vs plain spawn`,
      'ms',
      median(replaced),
      median(plain),
      { better: 'lower', target: 1.2, note: range(plain) },
    ),
  ];
  // Against a warm-spare spawn alone, what no replacement escapes counts as
  // the heal's own (no target: the next row, with that floor, has it). A
  // process's replacement waits for its death (the kernel's end of it, then
  // SIGCHLD); a thread's pool replaces it when terminate() is called, but the
  // terminated thread's teardown runs beside its replacement, on the same cores.
  const isProcess = concurrency === 'process';
  rows.push(
    compare(
      `replacement after ${how} (${concurrency}) vs spawn from a warm spare`,
      'ms',
      median(replaced),
      median(warm),
      {
        better: 'lower',
        note: `${range(warm)}; the floor, ${isProcess ? "a bare fork's exit seen" : "a bare Worker's teardown beside it"}, is in it`,
      },
    ),
    compare(
      isProcess
        ? `replacement after ${how} (${concurrency}) vs a bare fork's exit seen + spawn from a warm spare`
        : `replacement after ${how} (${concurrency}) vs spawn from a warm spare beside a bare Worker's terminate()`,
      'ms',
      median(replaced),
      median(floor),
      { better: 'lower', target: 1.2, note: range(floor) },
    ),
  );
  const exitNote =
    concurrency === 'process'
      ? `; its exit was seen ${median(adoptedExit).toFixed(1)} ms after the kill (median)`
      : '';
  rows.push(
    compare(
      `replacement after ${how} (${concurrency}) with a standby vs spawn from a warm spare`,
      'ms',
      median(adopted),
      median(warm),
      { better: 'lower', target: 1.2, note: `${range(warm, adopted)}${exitNote}` },
    ),
  );
  if (concurrency === 'process') {
    rows.push(
      compare(
        `replacement after ${how} (${concurrency}) from its exit seen vs spawn from a warm spare`,
        'ms',
        median(afterExit),
        median(warm),
        {
          better: 'lower',
          note: `its exit was seen ${median(exitSeen).toFixed(1)} ms after the kill, a bare fork's ${median(bareExit).toFixed(1)} ms (medians)`,
        },
      ),
    );
  }
  return rows;
}

/** Freeze a process worker and time its replacement; the baseline is the heartbeat timeout. */
async function frozen(a: Arbiter): Promise<Row> {
  const pool = a.addMonitor('heal-frozen', {
    workers: 2,
    concurrency: 'process',
    timeout: STOP_TIMEOUT,
    period: 100,
    killGrace: 200,
    maxRestarts: STOP_REPS * 4,
    backoffBase: 0,
  });
  const times: number[] = [];
  const frozenPids: number[] = [];
  try {
    await pool.start();
    for (let rep = 0; rep < STOP_REPS; rep++) {
      const { victim, ms } = await heal(a, pool, (v) => {
        if (v.pid === undefined) return;
        frozenPids.push(v.pid);
        process.kill(v.pid, 'SIGSTOP');
      });
      times.push(ms);
      // The monitor kills the frozen worker (SIGTERM, SIGKILL after killGrace).
      await until(
        () => (pool.managedActors.some((p) => p.aid === victim.aid) ? undefined : true),
        `the end of frozen ${victim.aid}`,
      );
    }
  } finally {
    // Thaw any survivor so that it can stop.
    for (const pid of frozenPids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone already
      }
    }
    await pool.stop();
  }
  return compare(
    'replacement after SIGSTOP (process) vs heartbeat timeout',
    'ms',
    median(times),
    STOP_TIMEOUT,
    { better: 'lower', note: `bounded by the heartbeat timeout (${STOP_TIMEOUT / 1000} s here)` },
  );
}

async function run(): Promise<Row[]> {
  return withArbiter(async (a) => [
    ...(await killed(a, 'process')),
    ...(await killed(a, 'thread')),
    await frozen(a),
  ]);
}

/** The scenario. */
export const scenario: Scenario = { name: 'healing', run };
