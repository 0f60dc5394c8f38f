/**
 * Scenario `metrics`: the cost of `--metrics`. With 64 thread actors in a
 * pool, the p99 of 200 scrapes of `/metrics` (against the 50 ms target),
 * and pipelined `echo` throughput to one actor with metrics off and on (a
 * scrape every 100 ms while on), alternating rounds in the same run.
 * @module
 */
import { send } from '../lib/index.js';
import { attachMetrics } from '../lib/metrics/attachMetrics.js';
import { metricsRegistry } from '../lib/metrics/metricsRegistry.js';
import { throughput, warmUp } from './support/echoLoad.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const ACTORS = Number(process.env['BENCH_METRICS_ACTORS'] ?? 64);
const ROUNDS = 3;
const MESSAGES = 20_000;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function run(): Promise<Row[]> {
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
