/**
 * Scenario `memory`: resident memory of an idle process actor and of a
 * process running an arbiter (alone, and with an idle pool of 2 process
 * workers), each against a bare idle Node process; and
 * the growth of the main process's RSS when it spawns one thread actor,
 * against one bare Worker (a noisy figure: the heap grows and shrinks on
 * its own). Samples are taken side by side, medians reported.
 * @module
 */
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { send, spawn, type ActorProxy } from '../lib/index.js';
import { endChild, firstMessage, fixture } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { MB, median, sleep } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const IDLE_MS = 1000;
const SAMPLES = 3;
const THREAD_REPS = 3;

/** Fork a fixture `count` times at once; resolves with the RSS each reports after idling. */
async function forkedRss(name: string, count: number): Promise<number[]> {
  const children = Array.from({ length: count }, () =>
    fork(fixture(name), [String(IDLE_MS)], { stdio: 'inherit' }),
  );
  try {
    const replies = await Promise.all(children.map(firstMessage));
    return replies.map((r) => (r as { rss: number }).rss);
  } finally {
    await Promise.all(children.map((c) => endChild(c)));
  }
}

/** RSS of idle process actors, measured while bare processes idle alongside. */
async function processActors(): Promise<{
  actor: number[];
  bare: number[];
  arbiter: number[];
  pool: number[];
}> {
  let proxies: ActorProxy[] = [];
  try {
    proxies = await Promise.all(
      Array.from({ length: SAMPLES }, (_, i) =>
        spawn({ name: `idle-${i}`, concurrency: 'process' }),
      ),
    );
    const bare = forkedRss('ready-fork', SAMPLES);
    await sleep(IDLE_MS);
    const actor = await Promise.all(
      proxies.map(async (p) => Number(await send(p, 'run', () => process.memoryUsage().rss))),
    );
    return {
      actor,
      bare: await bare,
      arbiter: await forkedRss('arbiter-rss', SAMPLES),
      pool: await forkedRss('arbiter-pool-rss', SAMPLES),
    };
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
  }
}

/** Growth of this process's RSS while one thread actor idles in it. */
async function threadActorDelta(): Promise<number> {
  const before = process.memoryUsage().rss;
  const proxy = await spawn({ name: 'idle-thread', concurrency: 'thread' });
  try {
    await sleep(IDLE_MS);
    return process.memoryUsage().rss - before;
  } finally {
    await proxy.stop();
  }
}

/** Growth of this process's RSS while one bare worker idles in it. */
async function bareWorkerDelta(): Promise<number> {
  const before = process.memoryUsage().rss;
  const worker = new Worker(fixture('ready-worker'));
  try {
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await sleep(IDLE_MS);
    return process.memoryUsage().rss - before;
  } finally {
    await worker.terminate();
  }
}

async function run(): Promise<Row[]> {
  return withArbiter(async () => {
    const { actor, bare, arbiter, pool } = await processActors();
    // Warm-up: the first thread of a process loads code both kinds share.
    await bareWorkerDelta();
    const thread: number[] = [];
    const worker: number[] = [];
    for (let rep = 0; rep < THREAD_REPS; rep++) {
      thread.push(await threadActorDelta());
      worker.push(await bareWorkerDelta());
    }
    return [
      compare('RSS idle process actor vs bare node', 'MB', MB(median(actor)), MB(median(bare)), {
        better: 'lower',
        target: 1.5,
      }),
      compare(
        'RSS process with arbiter vs bare node',
        'MB',
        MB(median(arbiter)),
        MB(median(bare)),
        {
          better: 'lower',
        },
      ),
      compare(
        'RSS idle arbiter with a pool of 2 process workers vs bare node',
        'MB',
        MB(median(pool)),
        MB(median(bare)),
        {
          better: 'lower',
          note: "the arbiter process's own RSS; its 2 workers are separate processes",
        },
      ),
      compare(
        'RSS growth, 1 thread actor vs bare Worker',
        'MB',
        MB(median(thread)),
        MB(median(worker)),
        {
          better: 'lower',
          note: 'noisy: main-process RSS delta, heap and allocator drift included',
        },
      ),
    ];
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'memory', run };
