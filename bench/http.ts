/**
 * Scenario `http`: HTTP hello world, requests per second and p99 latency,
 * with 1 and 2 workers, against Node's `cluster` serving the same handler
 * (`fixtures/hello`, the one of `samples/helloworld`) with as many workers.
 *
 * Three kinds of processes, none of them this one:
 * - rxpulsar: `fixtures/http-rxpulsar` starts an arbiter and an
 *   `HttpServer` with N worker processes, prints its address;
 * - baseline: `fixtures/http-cluster`, a `node:cluster` primary with N
 *   workers, prints its address;
 * - load: autocannon, run as its own process: 50 keep-alive connections
 *   (its default), a 1 s warm-up then 5 s measured.
 *
 * autocannon is the one devDependency added for this scenario (pinned): a
 * load generator from npm that runs as its own process, so nothing is to be
 * installed on the system (`wrk` is not assumed, and not used).
 *
 * The four servers start together and stay up (idle when not loaded); the
 * runs interleave (cluster 1w, rxpulsar 1w, cluster 2w, rxpulsar 2w, then
 * the pairs reversed) and each figure is the median of its runs. Every
 * server is then sent SIGTERM and awaited (SIGKILL after a grace).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fixture } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median } from './support/stats.js';

type Kind = 'rxpulsar' | 'cluster';

const WORKERS = [1, 2] as const;
const ROUNDS = 2;
const CONNECTIONS = 50;
/** Measured seconds of one run. */
const DURATION = 5;
/** Warm-up seconds before each run (same connections, not measured). */
const WARMUP = 1;
/** Longest wait for a server to print its address, in ms. */
const START_DEADLINE = 30_000;
/** How long a server has after SIGTERM before SIGKILL, in ms. */
const STOP_GRACE = 10_000;
const BODY = 'Hello World!';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon');

/** A server fixture running in a child process. */
export interface Server {
  kind: Kind;
  workers: number;
  child: ChildProcess;
  /** `127.0.0.1:PORT`. */
  address: string;
}

/** One autocannon run. */
export interface Figures {
  /** 2xx responses per measured second. */
  rps: number;
  /** 99th percentile latency, ms (whole ms: autocannon's histogram). */
  p99: number;
}

/**
 * Start a server fixture; resolves with the address it printed.
 * @param env - more environment (settings such as `RXPULSAR_METRICS`).
 */
export async function startServer(
  kind: Kind,
  workers: number,
  env: Record<string, string> = {},
): Promise<Server> {
  // BENCH_SERVER_NODE_ARGS: flags for the server's node (`--cpu-prof` to profile it).
  const flags = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((f) => f !== '');
  const child = spawn(process.execPath, [...flags, fixture(`http-${kind}`), String(workers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      RXPULSAR_LOG_LEVEL: process.env['RXPULSAR_LOG_LEVEL'] ?? 'silent',
      ...env,
    },
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('http: no stdout');
  stdout.setEncoding('utf8');
  const what = `${kind} (${workers} worker${workers > 1 ? 's' : ''})`;
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(
        () => reject(new Error(`http: ${what} printed no address within ${START_DEADLINE} ms`)),
        START_DEADLINE,
      );
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(timer);
        reject(new Error(`http: ${what} exited (${signal ?? code}) before printing its address`));
      };
      const onData = (chunk: string): void => {
        text += chunk;
        const end = text.indexOf('\n');
        if (end === -1) return;
        clearTimeout(timer);
        stdout.off('data', onData);
        child.off('exit', onExit);
        stdout.resume(); // anything it prints later is dropped
        resolve(text.slice(0, end).trim());
      };
      stdout.on('data', onData);
      child.once('exit', onExit);
      child.once('error', reject);
    });
    if (!/^127\.0\.0\.1:\d+$/.test(address)) throw new Error(`http: ${what} printed "${address}"`);
    const server: Server = { kind, workers, child, address };
    await checkHello(server);
    return server;
  } catch (err) {
    await stopServer({ kind, workers, child, address: '' });
    throw err;
  }
}

/** One request on a fresh connection: the response must be the sample's hello world. */
function checkHello(server: Server): Promise<void> {
  const [host, port] = server.address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path: '/', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const type = res.headers['content-type'];
        const length = res.headers['content-length'];
        if (res.statusCode === 200 && type === 'text/plain' && length === '12' && text === BODY) {
          resolve();
        } else {
          reject(
            new Error(
              `http: ${server.kind} answered ${res.statusCode} ${type} (${length}) "${text}"`,
            ),
          );
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * SIGTERM, SIGKILL after {@link STOP_GRACE}; resolves once it exited.
 * @returns how it exited: `0` after a graceful stop, else the code or signal.
 */
export async function stopServer(server: Server): Promise<string> {
  const { child } = server;
  const status = (): string => String(child.signalCode ?? child.exitCode);
  if (child.exitCode !== null || child.signalCode !== null) return status();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE);
  await exited;
  clearTimeout(timer);
  return status();
}

/** Run autocannon against `server` as its own process and read its JSON. */
export async function load(server: Server): Promise<Figures> {
  const args = [
    AUTOCANNON,
    ...['-c', String(CONNECTIONS), '-d', String(DURATION)],
    ...['-W', '[', '-c', String(CONNECTIONS), '-d', String(WARMUP), ']'],
    '--json',
    `http://${server.address}/`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c: number | null) => resolve(c));
  });
  // With a warm-up autocannon prints two JSON lines: the warm-up's, then the run's.
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) {
    throw new Error(`http: autocannon exited ${code}: ${err.trim() || out.trim()}`);
  }
  const r = JSON.parse(last) as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    latency: { p99: number };
  };
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0 || r['2xx'] === 0) {
    throw new Error(
      `http: ${server.kind} ${server.workers}w: ${r['2xx']} 2xx, ${r.non2xx} non-2xx,` +
        ` ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  }
  return { rps: r['2xx'] / r.duration, p99: r.latency.p99 };
}

async function run(): Promise<Row[]> {
  const starting = WORKERS.flatMap((w) => [startServer('cluster', w), startServer('rxpulsar', w)]);
  const settled = await Promise.allSettled(starting);
  const servers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const figures = new Map<Server, Figures[]>(servers.map((s) => [s, []]));
  try {
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORKERS) {
        const pair = servers.filter((s) => s.workers === w);
        if (round % 2 === 1) pair.reverse();
        for (const server of pair) figures.get(server)?.push(await load(server));
      }
    }
  } finally {
    const stopped = await Promise.all(servers.map(async (s) => ({ s, how: await stopServer(s) })));
    for (const { s, how } of stopped) {
      if (how !== '0') process.stderr.write(`\nhttp: ${s.kind} ${s.workers}w exited ${how}\n`);
    }
  }

  const cores = availableParallelism();
  const shared =
    `${cores} cores: autocannon (one process) competes with the servers for CPU; ` +
    `${CONNECTIONS} keep-alive connections, ${WARMUP} s warm-up + ${DURATION} s,` +
    ` median of ${ROUNDS} interleaved runs`;
  const p99Note = `${shared}; autocannon records latencies in whole ms`;
  const of = (kind: Kind, w: number, pick: (f: Figures) => number): number => {
    const server = servers.find((s) => s.kind === kind && s.workers === w);
    return median((server === undefined ? [] : (figures.get(server) ?? [])).map(pick));
  };
  const label = (w: number): string => `HTTP hello world, ${w} worker${w > 1 ? 's' : ''}`;
  return [
    ...WORKERS.map((w) =>
      compare(
        `${label(w)} (req/s) vs cluster`,
        'req/s',
        of('rxpulsar', w, (f) => f.rps),
        of('cluster', w, (f) => f.rps),
        { better: 'higher', target: 0.95, note: shared },
      ),
    ),
    ...WORKERS.map((w) =>
      compare(
        `${label(w)} p99 latency vs cluster`,
        'ms',
        of('rxpulsar', w, (f) => f.p99),
        of('cluster', w, (f) => f.p99),
        { better: 'lower', note: p99Note },
      ),
    ),
  ];
}

/** The scenario. */
export const scenario: Scenario = { name: 'http', run };
