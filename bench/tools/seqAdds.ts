/**
 * Profiling aid, not a scenario: sequential adds (each awaited before the
 * next) through `taskClient(url)` against BullMQ's `Queue.add`, on one
 * redis-server started for the run, with no worker on either queue (the
 * producer alone). After a warm-up round of each, `rounds` interleaved
 * rounds of `n` adds (ours, BullMQ, ours…): µs per add, CPU µs per add
 * (`process.cpuUsage()`) and each round's rate ratio, with their medians.
 * `PROF=FILE.cpuprofile` profiles the timed rounds only (`node:inspector`,
 * 100 µs sampling); `ONLY=ours` or `ONLY=bull` runs one side.
 *
 *     node dist/bench/tools/seqAdds.js [rounds=7] [n=1000]
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

const { taskClient } = await import('../../lib/index.js');
const { startRedis } = await import('../../spec/support/redisServer.js');
const { median } = await import('../support/stats.js');
const { Queue } = await import('bullmq');

const rounds = Number(process.argv[2] ?? 7);
const n = Number(process.argv[3] ?? 1000);
const only = process.env['ONLY'];
const sides = (['ours', 'bull'] as const).filter((s) => only === undefined || only === s);

const redis = await startRedis();
// Made in the try below: a client that fails to start leaves no redis-server behind.
let client: Awaited<ReturnType<typeof taskClient>> | undefined;
let queue: InstanceType<typeof Queue> | undefined;
const wall = { ours: [] as number[], bull: [] as number[] };
const cpu = { ours: [] as number[], bull: [] as number[] };

async function round(side: 'ours' | 'bull', timed: boolean): Promise<void> {
  const t = performance.now();
  const c = process.cpuUsage();
  if (side === 'ours') for (let i = 0; i < n; i++) await client!.queueTask('noop');
  else for (let i = 0; i < n; i++) await queue!.add('noop', {});
  const used = process.cpuUsage(c);
  if (!timed) return;
  wall[side].push(((performance.now() - t) * 1000) / n);
  cpu[side].push((used.user + used.system) / n);
}

const file = process.env['PROF'];
const session = file === undefined ? undefined : new Session();
try {
  client = await taskClient(redis.url, 'seq-ours');
  queue = new Queue('seq-bull', {
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
  });
  await queue.waitUntilReady();
  for (const side of sides) await round(side, false);
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  for (let i = 0; i < rounds; i++) for (const side of sides) await round(side, true);
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file!, JSON.stringify(profile));
    session.disconnect();
  }
  const fmt = (xs: number[], d = 0): string =>
    `${xs.map((x) => x.toFixed(d)).join(' ')} (median ${median(xs).toFixed(d)})`;
  for (const side of sides) {
    console.log(`${side}: µs per add ${fmt(wall[side])}; CPU µs per add ${fmt(cpu[side])}`);
  }
  if (sides.length === 2) {
    const ratios = wall.ours.map((us, i) => wall.bull[i]! / us);
    console.log(`rate, ours / BullMQ, per round: ${fmt(ratios, 2)}`);
  }
} finally {
  await client?.close();
  await queue?.close();
  await redis.close();
}
