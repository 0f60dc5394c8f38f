/**
 * Scenario `metrics`: the cost of `--metrics`. With 64 thread actors in a
 * pool, the p99 of 200 scrapes of `/metrics` (against the 50 ms target),
 * and pipelined `echo` throughput to one actor with metrics off and on (a
 * scrape every 100 ms while on, a stress; then every second); then HTTP hello world (the `http`
 * scenario's server and autocannon load, one worker process, one server
 * whose metrics are turned off and on at run time; scraped every second). Both in pairs of
 * rounds, on and off interleaved (the order alternating from pair to pair),
 * in the same run: the figure is the median of the pairs' on/off ratios,
 * with their range, for throughput and for CPU per operation (less swayed
 * by other work on the machine). The scraper is another process, as
 * Prometheus would be. A second echo series, on but not scraped, tells the
 * workers' recording from the scrapes.
 * @module
 */
import { createServer } from 'node:net';
import { send } from '../lib/index.js';
import { load, startServer, stopServer, type Server } from './http.js';
import { attachMetrics } from '../lib/metrics/attachMetrics.js';
import { metricsRegistry } from '../lib/metrics/metricsRegistry.js';
import { throughput, warmUp } from './support/echoLoad.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { Scraper } from './support/Scraper.js';
import { treeCpuMs } from './support/treeCpu.js';
import { median } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const ACTORS = Number(process.env['BENCH_METRICS_ACTORS'] ?? 64);
/** Pairs of echo rounds (each: one round on, one off). */
const PAIRS = Number(process.env['BENCH_METRICS_PAIRS'] ?? 10);
// Enough for a round to last ~0.4 s, so that the 100 ms scrapes fall inside it.
const MESSAGES = 200_000;
/** Pairs of HTTP runs (each: one run on, one off; 6 s a run). */
const HTTP_PAIRS = Number(process.env['BENCH_METRICS_HTTP_PAIRS'] ?? 6);
/** The most metrics may cost: on/off at least this. */
const TARGET = 0.98;
/** Seconds of one autocannon run, warm-up included (`bench/http.ts`). */
const HTTP_RUN_S = 6;

/** One round: its throughput, and the CPU it took per operation (µs). */
interface Sample {
  rate: number;
  cpu: number;
}

/** The rounds with metrics on and those off, pair by pair. */
interface Figures {
  on: Sample[];
  off: Sample[];
}

/**
 * Run `on` and `off` in `pairs` pairs, the order alternating.
 * @returns the samples of each.
 */
async function interleave(
  pairs: number,
  on: () => Promise<Sample>,
  off: () => Promise<Sample>,
): Promise<Figures> {
  const figures: Figures = { on: [], off: [] };
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      figures.on.push(await on());
      figures.off.push(await off());
    } else {
      figures.off.push(await off());
      figures.on.push(await on());
    }
  }
  return figures;
}

/** The on/off ratios of the pairs: their median, range and list. */
function ratios(on: number[], off: number[]): { median: number; text: string } {
  const r = on.map((x, i) => x / off[i]!).sort((x, y) => x - y);
  const list = r.map((x) => x.toFixed(3)).join(' ');
  const m = median(r);
  return {
    median: m,
    text: `on/off of each pair, sorted: ${list} (median ${m.toFixed(3)}, range ${r[0]!.toFixed(3)}-${r.at(-1)!.toFixed(3)})`,
  };
}

/**
 * Two rows: throughput, and CPU per operation (less swayed by other work on
 * the machine); each ratio is the median of the pairs' ratios, not the ratio
 * of the medians.
 */
function pairedRows(scenario: string, unit: string, figures: Figures, note: string): Row[] {
  const rate = (s: Sample[]): number[] => s.map((x) => x.rate);
  const cpu = (s: Sample[]): number[] => s.map((x) => x.cpu);
  const byRate = ratios(rate(figures.on), rate(figures.off));
  const byCpu = ratios(cpu(figures.on), cpu(figures.off));
  const throughputRow = compare(
    `${scenario}: throughput`,
    unit,
    median(rate(figures.on)),
    median(rate(figures.off)),
    { better: 'higher', target: TARGET, note: `${note}; ${byRate.text}` },
  );
  throughputRow.ratio = byRate.median;
  throughputRow.pass = byRate.median >= TARGET;
  const cpuRow = compare(
    `${scenario}: CPU per op`,
    'µs',
    median(cpu(figures.on)),
    median(cpu(figures.off)),
    { better: 'lower', target: 1.02, note: byCpu.text },
  );
  cpuRow.ratio = byCpu.median;
  cpuRow.pass = byCpu.median <= 1.02;
  return [throughputRow, cpuRow];
}

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

/** Whether `url` answers 200 now. */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Turn the server's metrics on or off at run time (SIGUSR2 to the fixture's
 * arbiter) and wait until `/metrics` answers, or no longer does.
 */
async function setMetrics(server: Server, url: string, on: boolean): Promise<void> {
  if ((await answers(url)) === on) return;
  server.child.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  while ((await answers(url)) !== on) {
    if (Date.now() > deadline)
      throw new Error(`metrics: the HTTP server did not turn its metrics ${on ? 'on' : 'off'}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * HTTP req/s and CPU per request of one worker, metrics on (scraped every
 * second) vs off, on one long-lived server whose arbiter turns its metrics
 * on and off between runs (as `--metrics` would have them, histograms
 * included). A new server for each run varied more than metrics cost (pairs
 * 0.73–1.26: one process placed or compiled better than the next).
 */
async function httpRows(): Promise<Row[]> {
  const metrics = `127.0.0.1:${await freePort()}`;
  const url = `http://${metrics}/metrics`;
  let scrapes: number;
  let figures: Figures;
  const server = await startServer('rxpulsar', 1, { BENCH_METRICS_TOGGLE: metrics });
  const scraper = new Scraper(url, 1000);
  try {
    const pid = server.child.pid!;
    // CPU of the server's processes (arbiter and worker) per request; the
    // warm-up's CPU is counted too, alike on and off.
    const run = (on: boolean) => async (): Promise<Sample> => {
      await setMetrics(server, url, on);
      const before = treeCpuMs(pid);
      const { rps } = await load(server);
      return { rate: rps, cpu: ((treeCpuMs(pid) - before) * 1000) / (rps * HTTP_RUN_S) };
    };
    await load(server); // a first run to warm the server up, not counted
    figures = await interleave(HTTP_PAIRS, run(true), run(false));
  } finally {
    scrapes = await scraper.stop();
    await stopServer(server);
  }
  if (scrapes === 0) throw new Error('metrics: the HTTP server never answered a scrape');
  return pairedRows(
    'HTTP hello world, 1 worker, metrics on (scraped every 1 s) vs off',
    'req/s',
    figures,
    `${HTTP_PAIRS} pairs on one server, metrics turned on and off between runs (autocannon, 50 connections, 1 s warm-up + 5 s); ${scrapes} scrapes answered`,
  );
}

/** `BENCH_METRICS_SERIES=echo` or `http`: that series only (default: both). */
const SERIES = process.env['BENCH_METRICS_SERIES'] ?? 'echo,http';

async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  if (SERIES.includes('echo')) rows.push(...(await echoRows()));
  if (SERIES.includes('http')) rows.push(...(await httpRows()));
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
      // Throughput, metrics on and off in pairs, scraped by another process
      // every 100 ms (refused while off: nothing listens then).
      const bind = `127.0.0.1:${await freePort()}`;
      const scraper = new Scraper(`http://${bind}/metrics`, 100);
      let figures: Figures;
      let scrapes: number;
      // This process is the arbiter, the load and (threads) the actors: its CPU per message.
      const run = async (): Promise<Sample> => {
        const before = process.cpuUsage();
        const rate = await throughput(request, payload, MESSAGES, 100);
        const spent = process.cpuUsage(before);
        return { rate, cpu: (spent.user + spent.system) / MESSAGES };
      };
      // On: served at `bind` (scraped) or at another port (not scraped: what
      // the workers' recording alone costs).
      const on = (at: string) => async (): Promise<Sample> => {
        const metrics = await attachMetrics(a, at);
        try {
          return await run();
        } finally {
          await metrics.close();
        }
      };
      let unscraped: Figures;
      // Once a second, as the HTTP rows (Prometheus' own default is once a
      // minute): a round of ~0.4 s sees a scrape or none, so the pairs
      // average the cost of one scrape a second.
      const slowBind = `127.0.0.1:${await freePort()}`;
      const slowScraper = new Scraper(`http://${slowBind}/metrics`, 1000);
      let slow: Figures;
      let slowScrapes: number;
      try {
        figures = await interleave(PAIRS, on(bind), run);
        unscraped = await interleave(PAIRS, on('127.0.0.1:0'), run);
      } finally {
        scrapes = await scraper.stop();
      }
      try {
        slow = await interleave(PAIRS, on(slowBind), run);
      } finally {
        slowScrapes = await slowScraper.stop();
      }
      if (scrapes === 0 || slowScrapes === 0) {
        throw new Error('metrics: no scrape answered during the echo rounds');
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
        ...pairedRows(
          'echo, metrics on (scraped every 100 ms) vs off',
          'msg/s',
          figures,
          `${PAIRS} pairs of ${MESSAGES} messages; ${scrapes} scrapes answered`,
        ),
        ...pairedRows(
          'echo, metrics on (scraped every 1 s) vs off',
          'msg/s',
          slow,
          `${PAIRS} pairs of ${MESSAGES} messages; ${slowScrapes} scrapes answered`,
        ),
        ...pairedRows(
          'echo, metrics on (not scraped: the recording alone) vs off',
          'msg/s',
          unscraped,
          `${PAIRS} pairs of ${MESSAGES} messages`,
        ),
      ];
    } finally {
      await pool.stop();
    }
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'metrics', run };
