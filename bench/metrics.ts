/**
 * Scenario `metrics`: the cost of `--metrics`. With 64 thread actors in a
 * pool, the p99 of 200 scrapes of `/metrics` (against the 50 ms target),
 * and pipelined `echo` throughput to one actor with metrics off and on (a
 * scrape every 100 ms while on), alternating rounds in the same run; then
 * HTTP hello world (the `http` scenario's server and autocannon load, one
 * worker process) with `RXPULSAR_METRICS` off and on (scraped every second),
 * alternating.
 * @module
 */
import { createServer } from 'node:net';
import { send } from '../lib/index.js';
import { load, startServer, stopServer, type Server } from './http.js';
import { attachMetrics } from '../lib/metrics/attachMetrics.js';
import { metricsRegistry } from '../lib/metrics/metricsRegistry.js';
import { throughput, warmUp } from './support/echoLoad.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const ACTORS = Number(process.env['BENCH_METRICS_ACTORS'] ?? 64);
const ROUNDS = 3;
// Enough for a round to last ~0.4 s, so that the 100 ms scrapes fall inside it.
const MESSAGES = 200_000;
/** Rounds of the HTTP row (each: one run off, one on; 6 s a run). */
const HTTP_ROUNDS = 2;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** A port free now (for the `RXPULSAR_METRICS` of a server started next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** HTTP req/s of one worker, metrics on (scraped every second) vs off. */
async function httpRow(): Promise<Row> {
  const metrics = `127.0.0.1:${await freePort()}`;
  const servers: Server[] = [];
  const off: number[] = [];
  const on: number[] = [];
  let scrapes = 0;
  try {
    servers.push(await startServer('rxpulsar', 1));
    servers.push(await startServer('rxpulsar', 1, { RXPULSAR_METRICS: metrics }));
    const [plain, metered] = servers as [Server, Server];
    const scraper = setInterval(() => {
      void fetch(`http://${metrics}/metrics`).then(
        (r) => (r.ok ? r.text().then(() => scrapes++) : undefined),
        () => undefined,
      );
    }, 1000);
    try {
      for (let round = 0; round < HTTP_ROUNDS; round++) {
        const order = round % 2 === 0 ? [plain, metered] : [metered, plain];
        for (const s of order) (s === plain ? off : on).push((await load(s)).rps);
      }
    } finally {
      clearInterval(scraper);
    }
  } finally {
    await Promise.all(servers.map((s) => stopServer(s)));
  }
  if (scrapes === 0)
    throw new Error('metrics: the HTTP server with RXPULSAR_METRICS never answered a scrape');
  return compare(
    'HTTP hello world, 1 worker, metrics on (scraped every 1 s) vs off',
    'req/s',
    median(on),
    median(off),
    {
      better: 'higher',
      target: 0.98,
      note: `${HTTP_ROUNDS} rounds each (autocannon, 50 connections, 1 s warm-up + 5 s), order alternating, medians; ${scrapes} scrapes answered`,
    },
  );
}

async function run(): Promise<Row[]> {
  const rows = await echoRows();
  rows.push(await httpRow());
  return rows;
}

async function echoRows(): Promise<Row[]> {
  return withArbiter(async (a) => {
    const pool = a.addMonitor('bench-metrics', {
      workers: ACTORS,
      concurrency: 'thread',
      // Generous: 64 threads start at once on a busy machine.
      timeout: 30_000,
    });
    await pool.start();
    const proxy = pool.managedActors[0]!;
    const request = (p: unknown): PromiseLike<unknown> => send(proxy, 'echo', p);
    const payload = 'x'.repeat(16);
    try {
      await warmUp(request, payload, 2000);
      // Scrapes: every actor reported (its handshake) with its figures.
      const served = await attachMetrics(a, '127.0.0.1:0');
      const url = `http://${served.address}/metrics`;
      const times: number[] = [];
      const render: number[] = [];
      let bytes = 0;
      try {
        for (let i = 0; i < 200; i++) {
          const start = performance.now();
          bytes = (await (await fetch(url)).text()).length;
          times.push(performance.now() - start);
        }
        // The same, rendered in process (no HTTP): the arbiter's own share.
        const registry = await metricsRegistry();
        for (let i = 0; i < 200; i++) {
          const start = performance.now();
          await registry.metrics();
          render.push(performance.now() - start);
        }
      } finally {
        await served.close();
      }
      // Throughput, metrics off then on, alternating.
      const off: number[] = [];
      const on: number[] = [];
      const measureOn = async (): Promise<void> => {
        const metrics = await attachMetrics(a, '127.0.0.1:0');
        const scraper = setInterval(() => {
          void fetch(`http://${metrics.address}/metrics`).then(
            (r) => r.text(),
            () => undefined,
          );
        }, 100);
        try {
          on.push(await throughput(request, payload, MESSAGES, 100));
        } finally {
          clearInterval(scraper);
          await metrics.close();
        }
      };
      // Alternating which goes first, so that warming up favours neither.
      for (let round = 0; round < ROUNDS * 2; round++) {
        if (round % 2 === 0) off.push(await throughput(request, payload, MESSAGES, 100));
        await measureOn();
        if (round % 2 === 1) off.push(await throughput(request, payload, MESSAGES, 100));
      }
      return [
        compare(
          `scrape p99, ${ACTORS} thread actors (${Math.round(bytes / 1024)} kB) vs 50 ms target`,
          'ms',
          quantile(times, 0.99),
          50,
          {
            better: 'lower',
            target: 1,
            note: `median ${median(times).toFixed(1)} ms; rendering alone: p99 ${quantile(render, 0.99).toFixed(1)} ms; the baseline is the target`,
          },
        ),
        compare(
          'echo throughput, metrics on (scraped every 100 ms) vs off',
          'msg/s',
          median(on),
          median(off),
          {
            better: 'higher',
            target: 0.98,
            note: `${ROUNDS * 2} rounds of ${MESSAGES} each, order alternating, medians`,
          },
        ),
      ];
    } finally {
      await pool.stop();
    }
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'metrics', run };
