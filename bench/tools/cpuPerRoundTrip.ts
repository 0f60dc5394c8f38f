/**
 * Profiling aid, not a scenario: the CPU time one round trip costs on each
 * side, rxpulsar's arbiter → process actor `echo` against the raw
 * Unix-socket echo of `messaging-process`, alternated. CPU time (the
 * arbiter's from `process.cpuUsage()`, the child's from `/proc/PID/stat`,
 * 10 ms ticks) moves far less than wall time on a loaded machine.
 *
 *     node dist/bench/tools/cpuPerRoundTrip.js [sequential|pipelined] [count=10000] [bytes=16] [reps=3]
 * @module
 */
import { readFileSync } from 'node:fs';

process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

const { send, spawn } = await import('../../lib/index.js');
const { SocketEcho } = await import('../support/SocketEcho.js');
const { roundTrip, throughput } = await import('../support/echoLoad.js');
const { withArbiter } = await import('../support/withArbiter.js');

const mode = process.argv[2] === 'pipelined' ? 'pipelined' : 'sequential';
const count = Number(process.argv[3] ?? 10_000);
const bytes = Number(process.argv[4] ?? 16);
const reps = Number(process.argv[5] ?? 3);

/** CPU time of another process so far, in µs (Linux; clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU time of this process so far, in µs. */
function ownCpu(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

await withArbiter(async () => {
  const proxy = await spawn({ name: 'cpu-echo', concurrency: 'process' });
  const raw = await SocketEcho.start();
  try {
    const payload = 'x'.repeat(bytes);
    const contenders: [string, (p: unknown) => PromiseLike<unknown>, number][] = [
      ['rxpulsar', (p) => send(proxy, 'echo', p), proxy.pid ?? 0],
      ['raw socket', raw.request, raw.pid],
    ];
    for (const [, request] of contenders) await throughput(request, payload, 4000, 50);
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, request, pid] of contenders) {
        const arbiter0 = ownCpu();
        const child0 = cpuOf(pid);
        const figure =
          mode === 'sequential'
            ? `${(await roundTrip(request, payload, count)).toFixed(1)} µs`
            : `${Math.round(await throughput(request, payload, count, 100))} msg/s`;
        const arbiter = (ownCpu() - arbiter0) / count;
        const child = (cpuOf(pid) - child0) / count;
        console.log(
          `${name.padEnd(10)} ${mode} ${figure}: CPU per round trip ` +
            `${arbiter.toFixed(1)} µs here, ${child.toFixed(1)} µs in the child`,
        );
      }
    }
  } finally {
    await Promise.all([proxy.stop(), raw.close()]);
  }
});
