/**
 * Profiling aid, not a scenario: a soak. One process actor and one thread
 * actor echo under steady pipelined load (100 in flight each, 16 B to
 * 4 KB payloads, a string or an object in turn) for a while; every few
 * seconds, the arbiter's heap (after a full GC) and RSS, and the process
 * actor's RSS, are sampled. A leak shows as growth from the first samples
 * (after the warm-up) to the last.
 *
 *     node --expose-gc dist/bench/tools/soak.js [seconds=120] [every=10]
 * @module
 */
import { readFileSync } from 'node:fs';

process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

const { send, spawn } = await import('../../lib/index.js');
const { withArbiter } = await import('../support/withArbiter.js');

const seconds = Number(process.argv[2] ?? 120);
const every = Number(process.argv[3] ?? 10);
const MB = 1024 * 1024;
const SIZES = [16, 256, 1024, 4096];

/** RSS of another process (Linux `/proc`), in MB. */
function rssOf(pid: number): number {
  const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return (pages * 4096) / MB;
}

/** Keep `inFlight` requests going through `request` until `until()` is false; resolves with the count. */
function load(
  request: (payload: unknown) => PromiseLike<unknown>,
  inFlight: number,
  until: () => boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    let running = 0;
    const next = (): void => {
      if (!until()) {
        if (running === 0) resolve(done);
        return;
      }
      running++;
      const size = SIZES[done % SIZES.length]!;
      const text = 'x'.repeat(size);
      const payload = done % 2 === 0 ? text : { text, n: done };
      request(payload).then(() => {
        done++;
        running--;
        next();
      }, reject);
    };
    for (let i = 0; i < inFlight; i++) next();
  });
}

await withArbiter(async () => {
  const proc = await spawn({ name: 'soak-process', concurrency: 'process' });
  const thread = await spawn({ name: 'soak-thread', concurrency: 'thread' });
  const end = Date.now() + seconds * 1000;
  const going = (): boolean => Date.now() < end;
  const started = Date.now();
  const samples: string[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sampler = setInterval(() => {
    gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    samples.push(
      `${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  arbiter heap ` +
        `${(heapUsed / MB).toFixed(1).padStart(6)} MB  rss ${(rss / MB).toFixed(1).padStart(6)} MB  ` +
        `process actor rss ${rssOf(proc.pid!).toFixed(1).padStart(6)} MB`,
    );
    console.log(samples.at(-1));
  }, every * 1000);
  try {
    const [p, t] = await Promise.all([
      load((x) => send(proc, 'echo', x), 100, going),
      load((x) => send(thread, 'echo', x), 100, going),
    ]);
    console.log(
      `${seconds} s: ${p} process echoes (${Math.round(p / seconds)}/s), ` +
        `${t} thread echoes (${Math.round(t / seconds)}/s)${gc ? '' : ' (run with --expose-gc for heap after GC)'}`,
    );
  } finally {
    clearInterval(sampler);
    await Promise.all([proc.stop(), thread.stop()]);
  }
});
