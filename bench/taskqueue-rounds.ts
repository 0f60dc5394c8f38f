/**
 * Scenario `taskqueue-rounds`: processing throughput only, in interleaved
 * rounds (embedded, BullMQ, Redis backend, BullMQ… with 1 and 4 workers),
 * so that each ratio is taken against the baseline of the same moment on
 * a shared machine; prints the median ratio and its range. Each round
 * queues `TQ_N` no-op tasks (default 5000; ours: concurrent `queueTask()`,
 * BullMQ: `addBulk`) and times until all are done. `TQ_ROUNDS` rounds
 * (default 5). Each round's CPU, all processes together, is reported too.
 * @module
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { TaskQueue } from '../lib/index.js';
import { apps } from './fixtures/taskqueue-apps.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median, sleep } from './support/stats.js';
import { treeCpuByPid, treeCpuMs } from './support/treeCpu.js';
import { withRedisBench, type RedisBench } from './support/withRedisBench.js';

const N = Number(process.env['TQ_N'] ?? 5000);
const ROUNDS = Number(process.env['TQ_ROUNDS'] ?? 5);
/** For a profile (`--cpu-prof`): `TQ_ONLY=emb` (or `red`, `bull`) runs only its rounds, no ratio. */
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
 * Warm-up rounds of every contender before the timed ones (default 1).
 * More show the steady state: each of our worker processes compiles
 * BullMQ on its share of the tasks, BullMQ's one process on all of them.
 */
const WARMUP = Number(process.env['TQ_WARMUP'] ?? 1);

/** Queues N tasks and resolves once they are all done. */
type Round = () => Promise<void>;

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

/** CPU ms per 1000 tasks of the timed rounds (all processes: arbiter, workers, redis-server). */
const cpu: Record<'emb' | 'red' | 'bull', number[]> = { emb: [], red: [], bull: [] };

async function timed(round: Round, who?: 'emb' | 'red' | 'bull'): Promise<number> {
  const c = treeCpuMs();
  const t = performance.now();
  await round();
  const rate = N / ((performance.now() - t) / 1000);
  if (who !== undefined) cpu[who].push(((treeCpuMs() - c) * 1000) / N);
  return rate;
}

/** The rounds of each contender, with `workers` workers. */
function contenders(
  { redis, dir, bullmq, connection }: RedisBench,
  workers: number,
): { rounds: Record<'emb' | 'red' | 'bull', Round>; close(): Promise<void> } {
  const emb = apps[`embedded-${workers}` as 'embedded-1'];
  const red = apps[`redis-${workers}` as 'redis-1'];
  (emb.params as Record<string, unknown>)['dataDir'] = join(dir, `e${workers}`);
  (red.params as Record<string, unknown>)['dataDir'] = join(dir, `r${workers}`);
  (red.params as Record<string, unknown>)['taskBackend'] = redis.url;
  const redQueue = new bullmq.Queue(red.name, { prefix: 'rxp', connection });
  const bullQueue = new bullmq.Queue(`bench-bullr-${workers}`, { connection });
  const bullWorker = new bullmq.Worker(bullQueue.name, () => Promise.resolve(1), {
    connection,
    concurrency: 16 * workers,
    autorun: false,
  });
  const count = async (q: typeof bullQueue): Promise<number> =>
    (await q.getJobCounts('completed'))['completed'] ?? 0;
  let started: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (started ??= (async () => {
      await emb.start();
      await red.start();
      void bullWorker.run();
      await bullWorker.waitUntilReady();
    })());
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
      bull: async () => {
        await start();
        const base = await count(bullQueue);
        await bullQueue.addBulk(
          Array.from({ length: N }, () => ({ name: 'noop', data: {}, opts: BULL_OPTS })),
        );
        await until(async () => (await count(bullQueue)) >= base + N, 'bullmq round');
      },
    },
    async close() {
      await bullWorker.close();
      await bullQueue.close();
      await redQueue.close();
      await emb.stop();
      await red.stop();
    },
  };
}

/** Warm-up rounds of each (`TQ_WARMUP`), then interleaved: ours, BullMQ, ours, BullMQ… */
async function interleaved(
  rounds: Record<'emb' | 'red' | 'bull', Round>,
  workers: number,
  loads: number[],
): Promise<Row[]> {
  for (let i = 0; i < WARMUP; i++) for (const r of Object.values(rounds)) await r();
  const rates = { emb: [] as number[], red: [] as number[], bull: [] as number[] };
  const ratios = { emb: [] as number[], red: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    loads.push(loadavg()[0] ?? NaN);
    for (const who of ['emb', 'red'] as const) {
      const ours = await timed(rounds[who], who);
      const bull = await timed(rounds.bull, 'bull');
      rates[who].push(ours);
      rates.bull.push(bull);
      ratios[who].push(ours / bull);
    }
  }
  const fmt = (x: number): string => x.toFixed(2);
  const rows = (['emb', 'red'] as const).map((who) => {
    const rs = ratios[who];
    const target = who === 'emb' ? 2 : 0.8;
    const row = compare(
      `taskqueue-rounds process ${N}, ${workers} worker(s): ${who === 'emb' ? 'embedded' : 'redis'} vs BullMQ`,
      'tasks/s',
      median(rates[who]),
      median(rates.bull),
      {
        better: 'higher',
        target,
        note: `${ROUNDS} interleaved rounds: ratio median ${fmt(median(rs))}, range ${fmt(Math.min(...rs))}–${fmt(Math.max(...rs))} (${rs.map(fmt).join(' ')})`,
      },
    );
    // The median of the ratios of each round, not the ratio of the medians.
    row.ratio = median(rs);
    row.pass = row.ratio >= target;
    return row;
  });
  // What a task cost in CPU, all processes together: steadier than the rate under load.
  for (const who of ['emb', 'red'] as const) {
    const ours = cpu[who].splice(0);
    const bull = cpu.bull.filter((_, i) => i % 2 === (who === 'emb' ? 0 : 1));
    rows.push(
      compare(
        `taskqueue-rounds CPU per 1000 tasks, ${workers} worker(s): ${who === 'emb' ? 'embedded' : 'redis'} vs BullMQ`,
        'cpu ms',
        median(ours),
        median(bull),
        {
          better: 'lower',
          note: `CPU ms per 1000 tasks, ${who}: ${ours.map(fmt).join(' ')}; BullMQ: ${bull.map(fmt).join(' ')}`,
        },
      ),
    );
  }
  cpu.bull.length = 0;
  return rows;
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
            for (let i = 0; i < ROUNDS; i++) {
              const before = treeCpuByPid();
              const rate = await timed(rounds[ONLY as 'emb']);
              const scenario = `${ONLY} ${workers} worker(s), round ${i}`;
              // Where the CPU went, per 1000 tasks: this process (arbiter), then its children.
              const per = [...treeCpuByPid()]
                .map(([pid, ms]) => [pid, ((ms - (before.get(pid) ?? ms)) * 1000) / N] as const)
                .filter(([, ms]) => ms > 0)
                .map(([pid, ms]) => `${pid === process.pid ? 'arbiter' : pid} ${ms.toFixed(0)}`);
              const note = `CPU ms per 1000 tasks: ${per.join(', ')}`;
              rows.push({
                scenario,
                rxpulsar: rate,
                baseline: NaN,
                unit: 'tasks/s',
                ratio: NaN,
                note,
              });
            }
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
