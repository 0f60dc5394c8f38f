/**
 * Scenario `reload`: requests lost while an HTTP server replaces its
 * workers (a rolling restart, SIGHUP twice; recycling every
 * {@link MAX_REQUESTS} requests) and while it stops (SIGTERM),
 * under keep-alive load from 20 clients; rxpulsar (`fixtures/http-rxpulsar`,
 * 2 workers) against Node's `cluster` doing the same (`fixtures/http-cluster`:
 * a new worker forked per worker, the old one disconnected once the new one
 * listens, the same on reaching its request count; SIGTERM:
 * `cluster.disconnect()`). The target is 0 lost for
 * rxpulsar; the baseline shows what a plain cluster loses.
 *
 * The load runs in this process (Node's http client, one keep-alive agent
 * per client); a request is lost when it was sent and no response came
 * (ECONNRESET, "socket hang up"). Refused connections after a stop began
 * are not lost (nothing was accepted).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { endChild, fixture } from './support/fixture.js';
import { keepAliveLoad } from './support/keepAliveLoad.js';
import type { Row, Scenario } from './support/Row.js';

const CLIENTS = 20;
const WORKERS = 2;
/** Load of a reload run, ms: SIGHUP after 1 s and 3 s. */
const RELOAD_MS = 6_000;
/** Requests after which a worker is replaced, in the recycle run. */
const MAX_REQUESTS = 5_000;
/** Load of a recycle run, ms. */
const RECYCLE_MS = 6_000;

type Kind = 'rxpulsar' | 'cluster';

interface Server {
  child: ChildProcess;
  address: string;
  exited: Promise<void>;
}

async function startServer(kind: Kind, maxRequests = 0): Promise<Server> {
  const args = [fixture(`http-${kind}`), String(WORKERS), String(maxRequests)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RXPULSAR_LOG_LEVEL: process.env['RXPULSAR_LOG_LEVEL'] ?? 'silent' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`reload: ${kind} did not start`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = /^(\S+)\n/.exec(text);
      if (line?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(line[1]);
      }
    });
    child.once('exit', () => reject(new Error(`reload: ${kind} exited before listening`)));
  }).catch(async (err: unknown) => {
    await endChild(child, 2000);
    throw err;
  });
  return { child, address, exited };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Lost {
  reload: number;
  recycle: number;
  stop: number;
  served: number;
}

/** Lost requests while recycling by request count. */
async function recycle(kind: Kind): Promise<{ lost: number; served: number }> {
  const server = await startServer(kind, MAX_REQUESTS);
  try {
    const counts = await keepAliveLoad(server.address, CLIENTS, RECYCLE_MS, () =>
      Promise.resolve(),
    );
    return { lost: counts.lost + counts.refused, served: counts.ok };
  } finally {
    await endChild(server.child, 10_000);
  }
}

/** Lost requests during two rolling restarts, then during a SIGTERM stop, then recycling. */
async function measure(kind: Kind): Promise<Lost> {
  const recycled = await recycle(kind);
  const server = await startServer(kind);
  try {
    const reload = await keepAliveLoad(server.address, CLIENTS, RELOAD_MS, async () => {
      await sleep(1000);
      server.child.kill('SIGHUP');
      await sleep(2000);
      server.child.kill('SIGHUP');
    });
    const stop = await keepAliveLoad(
      server.address,
      CLIENTS,
      0,
      async () => {
        await sleep(1000);
        server.child.kill('SIGTERM');
        await server.exited;
      },
      true,
    );
    return {
      reload: reload.lost + reload.refused,
      recycle: recycled.lost,
      stop: stop.lost,
      served: reload.ok + stop.ok + recycled.served,
    };
  } finally {
    await endChild(server.child, 10_000);
  }
}

function row(scenario: string, rxpulsar: number, baseline: number, note: string): Row {
  return {
    scenario,
    rxpulsar,
    baseline,
    unit: 'requests',
    ratio: baseline === 0 ? (rxpulsar === 0 ? 1 : Infinity) : rxpulsar / baseline,
    target: '= 0',
    pass: rxpulsar === 0,
    note,
  };
}

async function run(): Promise<Row[]> {
  const cluster = await measure('cluster');
  const rxpulsar = await measure('rxpulsar');
  const note = (what: string): string =>
    `${CLIENTS} keep-alive clients, ${WORKERS} workers, ${what}; ` +
    `served ${rxpulsar.served} (rxpulsar) / ${cluster.served} (cluster); baseline: node:cluster`;
  return [
    row(
      'HTTP requests lost during reload under load (SIGHUP ×2) vs cluster',
      rxpulsar.reload,
      cluster.reload,
      note(`${RELOAD_MS / 1000} s, rolling restart at 1 s and 3 s`),
    ),
    row(
      'HTTP requests lost while recycling workers under load (maxRequests) vs cluster',
      rxpulsar.recycle,
      cluster.recycle,
      note(`${RECYCLE_MS / 1000} s, a worker replaced every ${MAX_REQUESTS} requests`),
    ),
    row(
      'HTTP requests lost during a graceful stop under load (SIGTERM) vs cluster',
      rxpulsar.stop,
      cluster.stop,
      note('SIGTERM after 1 s, load until exit'),
    ),
  ];
}

/** The scenario. */
export const scenario: Scenario = { name: 'reload', run };
