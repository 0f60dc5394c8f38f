/**
 * Scenario `spawn`: time from `spawn()` to a ready proxy (handshake done)
 * for process and thread actors, cold (a child started for it) and from a
 * warm spare (what a pool keeps, see `spares`: the spare is warm before
 * the clock starts), against a bare `fork()` until its first
 * `process.send` and a bare `new Worker()` until its first `postMessage`;
 * and a pool of 8 process actors from zero to all ready against 8 bare
 * forks; and the CPU a cold process actor costs (the arbiter's and the
 * child's, its ready state plus 300 ms) against a bare fork's, on Linux.
 * Runs are interleaved; every child (spares too) is stopped before
 * the next run. Notes give the range of the per-round ratios. A cold
 * thread actor whose behaviour module imports values from rxpulsar (as
 * most do) is measured against the same bare `Worker`, whose module
 * imports nothing.
 * @module
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { spawn, type ActorProxy } from '../lib/index.js';
import { spares } from '../lib/child/startWorker.js';
import { endChild, firstMessage, fixture } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median, sleep, timeMs } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const REPS = 10;
const POOL = 8;
const POOL_REPS = 3;
const CPU_REPS = 5;
/** How long after ready a child's CPU is counted (what it does once it runs). */
const CPU_SETTLE_MS = 300;
/** A behaviour module that imports values from rxpulsar, as users' do. */
const IMPORTING = fixture('imports-rxpulsar');
/** Where a warm spare comes from, for the notes. */
const WARM = "a pool's default, or arbiter({ spares }) for spawn() outside a pool";

/** CPU time of a process, all its threads (Linux `schedstat`), in ms. */
function cpuOfProcess(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e6;
}

/** CPU of this process since `start` (`process.cpuUsage()`), in ms. */
const cpuSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** CPU of a cold process actor, this process's and the child's, until ready plus a while, in ms. */
async function actorCpu(): Promise<number> {
  const start = process.cpuUsage();
  const proxy = await spawn({ name: 'bench-cpu', concurrency: 'process' });
  try {
    await sleep(CPU_SETTLE_MS);
    return cpuSince(start) + cpuOfProcess(proxy.pid!);
  } finally {
    await proxy.stop();
  }
}

/** The same for a bare fork. */
async function forkCpu(): Promise<number> {
  const start = process.cpuUsage();
  const child = fork(fixture('ready-fork'), [], { stdio: 'inherit' });
  try {
    await firstMessage(child);
    await sleep(CPU_SETTLE_MS);
    return cpuSince(start) + cpuOfProcess(child.pid!);
  } finally {
    await endChild(child);
  }
}

/** Spawn `count` actors at once; resolves with the time until all are ready. */
async function spawnActors(
  concurrency: 'process' | 'thread',
  count: number,
  module?: string,
): Promise<number> {
  let proxies: ActorProxy[] = [];
  const ms = await timeMs(async () => {
    proxies = await Promise.all(
      Array.from({ length: count }, (_, i) => spawn({ name: `bench-${i}`, concurrency, module })),
    );
  });
  await Promise.all(proxies.map((p) => p.stop()));
  return ms;
}

/** Spawn one actor from a warm spare; resolves with the time until it is ready. */
async function spawnWarm(concurrency: 'process' | 'thread'): Promise<number> {
  const release = spares.keep(concurrency);
  try {
    const deadline = Date.now() + 10_000;
    while (spares.warm[concurrency] < 1) {
      if (Date.now() > deadline) throw new Error(`spawn: no warm ${concurrency} spare in 10 s`);
      await sleep(5);
    }
    return await spawnActors(concurrency, 1);
  } finally {
    await release();
  }
}

/** The range of the per-round ratios `ours[i] / base[i]`, for a note. */
function ratioRange(ours: number[], base: number[]): string {
  const ratios = ours.map((v, i) => v / (base[i] ?? NaN));
  return `per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
}

/** Fork `count` bare children at once; resolves with the time until all said ready. */
async function bareForks(count: number): Promise<number> {
  const start = process.hrtime.bigint();
  const children = Array.from({ length: count }, () =>
    fork(fixture('ready-fork'), [], { stdio: 'inherit' }),
  );
  try {
    await Promise.all(children.map(firstMessage));
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    await Promise.all(children.map((c) => endChild(c)));
  }
}

/** Start a bare worker; resolves with the time until its first message. */
async function bareWorker(): Promise<number> {
  const start = process.hrtime.bigint();
  const worker = new Worker(fixture('ready-worker'));
  try {
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    await worker.terminate();
  }
}

async function run(): Promise<Row[]> {
  return withArbiter(async () => {
    const t = {
      process: [] as number[],
      fork: [] as number[],
      thread: [] as number[],
      worker: [] as number[],
      threadImporting: [] as number[],
      workerForImporting: [] as number[],
      warmProcess: [] as number[],
      warmThread: [] as number[],
      pool: [] as number[],
      forks: [] as number[],
      actorCpu: [] as number[],
      forkCpu: [] as number[],
    };
    // Warm-up: the file system cache and the modules of each kind.
    await spawnActors('process', 1);
    await bareForks(1);
    await spawnActors('thread', 1);
    await spawnActors('thread', 1, IMPORTING);
    await bareWorker();
    await spawnWarm('process');
    await spawnWarm('thread');
    for (let rep = 0; rep < REPS; rep++) {
      t.process.push(await spawnActors('process', 1));
      t.fork.push(await bareForks(1));
      t.warmProcess.push(await spawnWarm('process'));
      t.thread.push(await spawnActors('thread', 1));
      t.worker.push(await bareWorker());
      t.warmThread.push(await spawnWarm('thread'));
      t.threadImporting.push(await spawnActors('thread', 1, IMPORTING));
      t.workerForImporting.push(await bareWorker());
    }
    for (let rep = 0; rep < POOL_REPS; rep++) {
      t.pool.push(await spawnActors('process', POOL));
      t.forks.push(await bareForks(POOL));
    }
    const linux = existsSync('/proc/self/task');
    for (let rep = 0; linux && rep < CPU_REPS; rep++) {
      t.actorCpu.push(await actorCpu());
      t.forkCpu.push(await forkCpu());
    }
    const cpu = linux
      ? [
          compare(
            `CPU of a process actor vs bare fork (to ready + ${CPU_SETTLE_MS} ms)`,
            'ms',
            median(t.actorCpu),
            median(t.forkCpu),
            { better: 'lower', note: ratioRange(t.actorCpu, t.forkCpu) },
          ),
        ]
      : [];
    return [
      compare('spawn process actor vs bare fork', 'ms', median(t.process), median(t.fork), {
        better: 'lower',
        target: 1.5,
        note: ratioRange(t.process, t.fork),
      }),
      compare(
        'spawn process actor, warm spare vs bare fork',
        'ms',
        median(t.warmProcess),
        median(t.fork),
        { better: 'lower', target: 1.2, note: `${ratioRange(t.warmProcess, t.fork)}; ${WARM}` },
      ),
      compare('spawn thread actor vs bare Worker', 'ms', median(t.thread), median(t.worker), {
        better: 'lower',
        target: 2,
        note: ratioRange(t.thread, t.worker),
      }),
      compare(
        'spawn thread actor, module importing rxpulsar vs bare Worker',
        'ms',
        median(t.threadImporting),
        median(t.workerForImporting),
        { better: 'lower', note: ratioRange(t.threadImporting, t.workerForImporting) },
      ),
      compare(
        'spawn thread actor, warm spare vs bare Worker',
        'ms',
        median(t.warmThread),
        median(t.worker),
        { better: 'lower', target: 1.2, note: `${ratioRange(t.warmThread, t.worker)}; ${WARM}` },
      ),
      compare(
        `pool of ${POOL} process actors vs ${POOL} forks`,
        'ms',
        median(t.pool),
        median(t.forks),
        {
          better: 'lower',
        },
      ),
      ...cpu,
    ];
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'spawn', run };
