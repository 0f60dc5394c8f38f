/**
 * Scenario `taskqueue-rounds`: processing throughput only, in interleaved
 * rounds (embedded, BullMQ, Redis backend, BullMQ… with 1 and 4 workers),
 * so that each ratio is taken against the baseline of the same moment on
 * a shared machine; prints the median ratio and its range. Each round
 * queues `TQ_N` no-op tasks (default 5000; ours: concurrent `queueTask()`,
 * BullMQ: `addBulk`) and times until all are done. `TQ_ROUNDS` rounds
 * (default 5). Each round's CPU, all processes together, is reported too.
 * Two BullMQ baselines (`TQ_BASE`, default both): `bull`, its Worker in
 * this process with the concurrency of all our workers together (no
 * process hop: BullMQ at its cheapest), and `bullp`, one BullMQ Worker
 * process per worker of ours, each with our `concurrentTasks` (like with
 * like: as many Node processes, each compiling BullMQ on its share).
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { TaskQueue } from '../lib/index.js';
import { apps } from './fixtures/taskqueue-apps.js';
import { bullProcesses } from './support/bullProcesses.js';
import { endChild } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median, sleep } from './support/stats.js';
import { treeCpuByPid, treeCpuMs } from './support/treeCpu.js';
import { withRedisBench, type RedisBench } from './support/withRedisBench.js';

const N = Number(process.env['TQ_N'] ?? 5000);
const ROUNDS = Number(process.env['TQ_ROUNDS'] ?? 5);
/** For a profile (`--cpu-prof`): `TQ_ONLY=emb` (or `red`, `bull`, `bullp`) runs only its rounds, no ratio. */
const ONLY = process.env['TQ_ONLY'];
/**
 * Experiment: `TQ_BULL_OPTS=1` gives BullMQ's jobs the options our Redis
 * backend sets (a priority, attempts, backoff, removeOnComplete/Fail by age).
 */
const BULL_OPTS =
  process.env['TQ_BULL_OPTS'] === '1'
    ? {
        priority: 1_048_576,
        attempts: 1,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 86_400 },
      }
    : {};
const WORKERS = (process.env['TQ_WORKERS'] ?? '1,4').split(',').map(Number);
/**
 * Warm-up rounds of every contender before the timed ones (`TQ_WARMUP`;
 * by default as many as bring each worker process to 4000 tasks, at least
 * one: 1 with 1 worker, 4 with 4). Each worker process compiles BullMQ on
 * its share of the tasks, BullMQ's in-process Worker on all of them: 4
 * fresh processes, ours or BullMQ's alike, cost 2–3× their level CPU per
 * task over their first 1000 tasks each, and level from about 4000 (see
 * `taskqueue.ts`, `warmupRounds`).
 */
function warmupRounds(workers: number): number {
  const env = process.env['TQ_WARMUP'];
  return env !== undefined ? Number(env) : Math.max(1, Math.ceil((4000 * workers) / N));
}
/**
 * With `TQ_ONLY`: `TQ_STATS=1` adds each round's Redis commands per task
 * (`INFO commandstats`, reset before the round).
 */
const STATS = process.env['TQ_STATS'] === '1';
/**
 * `TQ_LISTEN=1`: something listens to our apps' `task$` (as `--metrics`
 * does), so every state change reaches the arbiter (on Redis: its events).
 */
const LISTEN = process.env['TQ_LISTEN'] === '1';

/** Queues N tasks and resolves once they are all done. */
type Round = () => Promise<void>;
type Ours = 'emb' | 'red';
type Base = 'bull' | 'bullp';
type Who = Ours | Base;

/** Ours to measure (`TQ_OURS`, default both). */
const OURS = (process.env['TQ_OURS'] ?? 'emb,red').split(',') as Ours[];
/** The baselines (`TQ_BASE`, default both): see the module's doc. */
const BASES = (process.env['TQ_BASE'] ?? 'bull,bullp').split(',') as Base[];
const CT = Number(process.env['TQ_CT'] ?? 16);
const NAMES: Record<Who, string> = {
  emb: 'embedded',
  red: 'redis',
  bull: 'BullMQ in-process',
  bullp: 'BullMQ worker processes',
};

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`taskqueue-rounds: ${what} not within 120 s`);
    await sleep(5);
  }
}

/** Ours: wait for every task of the round (the embedded store counts its SUCCESS tasks). */
function oursRound(app: TaskQueue, completed: () => Promise<number>): Round {
  return async () => {
    const base = await completed();
    await Promise.all(Array.from({ length: N }, () => app.queueTask('noop')));
    await until(async () => (await completed()) >= base + N, `${app.name} round`);
  };
}

/** A round's rate (tasks/s) and CPU ms per 1000 tasks (all processes: arbiter, workers, redis-server). */
async function timed(round: Round): Promise<{ rate: number; cpu: number }> {
  const c = treeCpuMs();
  const t = performance.now();
  await round();
  const rate = N / ((performance.now() - t) / 1000);
  return { rate, cpu: ((treeCpuMs() - c) * 1000) / N };
}

/** The rounds of each contender, with `workers` workers. */
function contenders(
  { redis, dir, bullmq, connection }: RedisBench,
  workers: number,
): { rounds: Record<Who, Round>; close(): Promise<void> } {
  const emb = apps[`embedded-${workers}` as 'embedded-1'];
  const red = apps[`redis-${workers}` as 'redis-1'];
  (emb.params as Record<string, unknown>)['dataDir'] = join(dir, `e${workers}`);
  (red.params as Record<string, unknown>)['dataDir'] = join(dir, `r${workers}`);
  (red.params as Record<string, unknown>)['taskBackend'] = redis.url;
  const redQueue = new bullmq.Queue(red.name, { prefix: 'rxp', connection });
  const bullQueue = new bullmq.Queue(`bench-bullr-${workers}`, { connection });
  const bullpQueue = new bullmq.Queue(`bench-bullp-${workers}`, { connection });
  const bullWorker = new bullmq.Worker(bullQueue.name, () => Promise.resolve(1), {
    connection,
    concurrency: CT * workers,
    autorun: false,
  });
  let children: ChildProcess[] = [];
  const count = async (q: typeof bullQueue): Promise<number> =>
    (await q.getJobCounts('completed'))['completed'] ?? 0;
  let started: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (started ??= (async () => {
      if (OURS.includes('emb')) await emb.start();
      if (OURS.includes('red')) await red.start();
      if (LISTEN) for (const app of [emb, red]) app.task$.subscribe({ error: () => undefined });
      // Experiment: a listener that came and went (the events stay read).
      if (process.env['TQ_LISTEN'] === 'gone')
        for (const app of [emb, red]) app.task$.subscribe({ error: () => undefined }).unsubscribe();
      // Experiment: `TQ_IDLE=1` keeps the baselines' workers alive (idle) beside `TQ_ONLY`'s rounds, as in `taskqueue`.
      const idle = process.env['TQ_IDLE'] === '1';
      if (BASES.includes('bull') || idle) {
        void bullWorker.run();
        await bullWorker.waitUntilReady();
      }
      if (BASES.includes('bullp') || idle)
        children = await bullProcesses(redis.port, bullpQueue.name, workers, CT);
    })());
  const bullRound =
    (queue: typeof bullQueue): Round =>
    async () => {
      await start();
      const base = await count(queue);
      await queue.addBulk(
        Array.from({ length: N }, () => ({ name: 'noop', data: {}, opts: BULL_OPTS })),
      );
      await until(async () => (await count(queue)) >= base + N, `${queue.name} round`);
    };
  return {
    rounds: {
      emb: async () => {
        await start();
        await oursRound(emb, () => Promise.resolve(emb.backend?.counts()['SUCCESS'] ?? 0))();
      },
      red: async () => {
        await start();
        await oursRound(red, () => count(redQueue))();
      },
      bull: bullRound(bullQueue),
      bullp: bullRound(bullpQueue),
    },
    async close() {
      await Promise.all(children.map((child) => endChild(child)));
      await bullWorker.close();
      await Promise.all([bullQueue.close(), bullpQueue.close(), redQueue.close()]);
      await emb.stop();
      await red.stop();
    },
  };
}

const fmt = (x: number): string => x.toFixed(2);

/** Warm-up rounds of each (`TQ_WARMUP`), then interleaved: ours, each baseline, ours… */
async function interleaved(
  rounds: Record<Who, Round>,
  workers: number,
  loads: number[],
): Promise<Row[]> {
  const warmup = warmupRounds(workers);
  for (let i = 0; i < warmup; i++) for (const who of [...OURS, ...BASES]) await rounds[who]();
  const pairs = OURS.flatMap((ours) => BASES.map((base) => [ours, base] as const));
  const runs = new Map(pairs.map((p) => [p.join(), { ours: [] as Run[], base: [] as Run[] }]));
  for (let i = 0; i < ROUNDS; i++) {
    loads.push(loadavg()[0] ?? NaN);
    for (const ours of OURS) {
      const run = await timed(rounds[ours]);
      for (const base of BASES) {
        const r = runs.get(`${ours},${base}`)!;
        r.ours.push(run);
        r.base.push(await timed(rounds[base]));
      }
    }
  }
  const rows: Row[] = [];
  for (const [ours, base] of pairs) {
    const r = runs.get(`${ours},${base}`)!;
    const rs = r.ours.map((o, i) => o.rate / r.base[i]!.rate);
    const target = ours === 'emb' ? 2 : 0.8;
    const label = `${workers} worker(s): ${NAMES[ours]} vs ${NAMES[base]}`;
    const row = compare(
      `taskqueue-rounds process ${N}, ${label}`,
      'tasks/s',
      median(r.ours.map((o) => o.rate)),
      median(r.base.map((b) => b.rate)),
      {
        better: 'higher',
        target,
        note: `${ROUNDS} interleaved rounds after ${warmup} untimed: ratio median ${fmt(median(rs))}, range ${fmt(Math.min(...rs))}–${fmt(Math.max(...rs))} (${rs.map(fmt).join(' ')})`,
      },
    );
    // The median of the ratios of each round, not the ratio of the medians.
    row.ratio = median(rs);
    row.pass = row.ratio >= target;
    // What a task cost in CPU, all processes together: steadier than the rate under load.
    const cpus = r.ours.map((o, i) => o.cpu / r.base[i]!.cpu);
    const cpuRow = compare(
      `taskqueue-rounds CPU per 1000 tasks, ${label}`,
      'cpu ms',
      median(r.ours.map((o) => o.cpu)),
      median(r.base.map((b) => b.cpu)),
      {
        better: 'lower',
        note: `ratio median ${fmt(median(cpus))}, range ${fmt(Math.min(...cpus))}–${fmt(Math.max(...cpus))}; ${ours}: ${r.ours.map((o) => fmt(o.cpu)).join(' ')}; ${base}: ${r.base.map((b) => fmt(b.cpu)).join(' ')}`,
      },
    );
    cpuRow.ratio = median(cpus);
    rows.push(row, cpuRow);
  }
  return rows;
}

/** `INFO commandstats` as "command calls-per-task …", the commonest first. */
function perTask(info: string): string {
  return [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
    .map(([, cmd, calls]) => [cmd!, Number(calls) / N] as const)
    .filter(([cmd, n]) => n >= 0.01 && cmd !== 'info' && cmd !== 'config')
    .sort((a, b) => b[1] - a[1])
    .map(([cmd, n]) => `${cmd} ${n.toFixed(2)}`)
    .join(' ');
}

interface Run {
  rate: number;
  cpu: number;
}

export const scenario: Scenario = {
  name: 'taskqueue-rounds',
  run(): Promise<Row[]> {
    return withRedisBench('tqr', async (bench) => {
      const rows: Row[] = [];
      const loads: number[] = [];
      for (const workers of WORKERS) {
        const c = contenders(bench, workers);
        const { rounds } = c;
        try {
          if (ONLY === undefined) rows.push(...(await interleaved(rounds, workers, loads)));
          else {
            loads.push(loadavg()[0] ?? NaN);
            const { Redis } = STATS ? await import('ioredis') : { Redis: undefined };
            const stats = Redis === undefined ? undefined : new Redis(bench.connection);
            for (let i = 0; i < ROUNDS; i++) {
              await stats?.config('RESETSTAT');
              const before = treeCpuByPid();
              const { rate } = await timed(rounds[ONLY as Who]);
              const scenario = `${ONLY} ${workers} worker(s), round ${i}`;
              // Where the CPU went, per 1000 tasks: this process (arbiter), then its children.
              const per = [...treeCpuByPid()]
                .map(([pid, ms]) => [pid, ((ms - (before.get(pid) ?? ms)) * 1000) / N] as const)
                .filter(([, ms]) => ms > 0)
                .map(([pid, ms]) => `${pid === process.pid ? 'arbiter' : pid} ${ms.toFixed(0)}`);
              const calls =
                stats === undefined
                  ? ''
                  : `; Redis calls per task: ${perTask(await stats.info('commandstats'))}`;
              const note = `CPU ms per 1000 tasks: ${per.join(', ')}${calls}`;
              rows.push({
                scenario,
                rxpulsar: rate,
                baseline: NaN,
                unit: 'tasks/s',
                ratio: NaN,
                note,
              });
            }
            stats?.disconnect();
          }
        } finally {
          await c.close();
        }
      }
      if (loads.length > 0) {
        const range = `range ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
        rows.push({
          scenario: 'taskqueue-rounds load (1 min average) during the rounds',
          rxpulsar: median(loads),
          baseline: NaN,
          unit: 'load',
          ratio: NaN,
          note: range,
        });
      }
      return rows;
    });
  },
};
