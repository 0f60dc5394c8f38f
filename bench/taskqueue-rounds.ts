/**
 * Scenario `taskqueue-rounds`: processing throughput only, in interleaved
 * rounds (embedded, BullMQ, Redis backend, BullMQ… with 1 and 4 workers),
 * so that each ratio is taken against the baseline of the same moment on
 * a shared machine; prints the median ratio and its range. Each round
 * queues `TQ_N` no-op tasks (default 5000; ours: concurrent `queueTask()`,
 * BullMQ: `addBulk`) and times until all are done. `TQ_ROUNDS` rounds
 * (default 5).
 * @module
 */
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskQueue } from '../lib/index.js';
import { startRedis } from '../spec/support/redisServer.js';
import { apps } from './fixtures/taskqueue-apps.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median, sleep } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const N = Number(process.env['TQ_N'] ?? 5000);
const ROUNDS = Number(process.env['TQ_ROUNDS'] ?? 5);
/** For a profile (`--cpu-prof`): `TQ_ONLY=emb` (or `red`, `bull`) runs only its rounds, no ratio. */
const ONLY = process.env['TQ_ONLY'];
const WORKERS = (process.env['TQ_WORKERS'] ?? '1,4').split(',').map(Number);

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

async function timed(round: Round): Promise<number> {
  const t = performance.now();
  await round();
  return N / ((performance.now() - t) / 1000);
}

export const scenario: Scenario = {
  name: 'taskqueue-rounds',
  async run(): Promise<Row[]> {
    const redis = await startRedis();
    const dir = join(tmpdir(), `rxp-bench-tqr-${process.pid}`);
    const bullmq = await import('bullmq');
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const rows: Row[] = [];
    const loads: number[] = [];
    try {
      await withArbiter(async () => {
        for (const workers of WORKERS) {
          const emb = apps[`embedded-${workers}` as 'embedded-1'];
          const red = apps[`redis-${workers}` as 'redis-1'];
          (emb.params as Record<string, unknown>)['dataDir'] = join(dir, `e${workers}`);
          (red.params as Record<string, unknown>)['dataDir'] = join(dir, `r${workers}`);
          (red.params as Record<string, unknown>)['taskBackend'] = redis.url;
          await emb.start();
          await red.start();
          const redQueue = new bullmq.Queue(red.name, { prefix: 'rxp', connection });
          const bullName = `bench-bullr-${workers}`;
          const bullQueue = new bullmq.Queue(bullName, { connection });
          const bullWorker = new bullmq.Worker(bullName, () => Promise.resolve(1), {
            connection,
            concurrency: 16 * workers,
          });
          await bullWorker.waitUntilReady();
          const count = async (q: typeof bullQueue): Promise<number> =>
            (await q.getJobCounts('completed'))['completed'] ?? 0;
          const rounds: Record<string, Round> = {
            emb: oursRound(emb, () => Promise.resolve(emb.backend?.counts()['SUCCESS'] ?? 0)),
            red: oursRound(red, () => count(redQueue)),
            bull: async () => {
              const base = await count(bullQueue);
              await bullQueue.addBulk(
                Array.from({ length: N }, () => ({ name: 'noop', data: {} })),
              );
              await until(async () => (await count(bullQueue)) >= base + N, 'bullmq round');
            },
          };
          if (ONLY !== undefined) {
            loads.push(loadavg()[0] ?? NaN);
            for (let i = 0; i < ROUNDS; i++) {
              const rate = await timed(rounds[ONLY]!);
              rows.push({
                scenario: `${ONLY} ${workers} worker(s), round ${i}`,
                rxpulsar: rate,
                baseline: NaN,
                unit: 'tasks/s',
                ratio: NaN,
              });
            }
            await bullWorker.close();
            await bullQueue.close();
            await redQueue.close();
            await emb.stop();
            await red.stop();
            continue;
          }
          // A warm-up round of each, then interleaved: ours, baseline, ours, baseline…
          for (const r of Object.values(rounds)) await r();
          const ratios: Record<'emb' | 'red', number[]> = { emb: [], red: [] };
          const rates: Record<string, number[]> = { emb: [], red: [], bull: [] };
          for (let i = 0; i < ROUNDS; i++) {
            loads.push(loadavg()[0] ?? NaN);
            for (const who of ['emb', 'red'] as const) {
              const ourRate = await timed(rounds[who]!);
              const bullRate = await timed(rounds['bull']!);
              rates[who]!.push(ourRate);
              rates['bull']!.push(bullRate);
              ratios[who].push(ourRate / bullRate);
            }
          }
          for (const who of ['emb', 'red'] as const) {
            const rs = ratios[who];
            const row = compare(
              `taskqueue-rounds process ${N}, ${workers} worker(s): ${who === 'emb' ? 'embedded' : 'redis'} vs BullMQ`,
              'tasks/s',
              median(rates[who]!),
              median(rates['bull']!),
              {
                better: 'higher',
                target: who === 'emb' ? 2 : 0.8,
                note: `${ROUNDS} interleaved rounds: ratio median ${median(rs).toFixed(2)}, range ${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)} (${rs.map((r) => r.toFixed(2)).join(' ')})`,
              },
            );
            row.ratio = median(rs);
            row.pass = row.ratio >= (who === 'emb' ? 2 : 0.8);
            rows.push(row);
          }
          await bullWorker.close();
          await bullQueue.close();
          await redQueue.close();
          await emb.stop();
          await red.stop();
        }
      });
    } finally {
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    }
    if (loads.length > 0)
      rows.push({
        scenario: 'taskqueue-rounds load (1 min average) during the rounds',
        rxpulsar: median(loads),
        baseline: NaN,
        unit: 'load',
        ratio: NaN,
        note: `range ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
      });
    return rows;
  },
};
