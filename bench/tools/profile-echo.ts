/**
 * Profiling aid, not a scenario: drive only rxpulsar's arbiter → process
 * (or thread) actor `echo`, pipelined (100 in flight) or sequential, so that
 *
 *     node --cpu-prof --cpu-prof-dir=DIR dist/bench/tools/profile-echo.js \
 *       [pipelined|sequential] [bytes=16] [count=200000] [process|thread] [string|object]
 *
 * leaves one profile of the arbiter and one of the actor (the actor
 * inherits `execArgv`). Summarise them with `dist/bench/tools/topSelf.js`.
 * @module
 */
process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

const { send, spawn } = await import('../../lib/index.js');
const { roundTrip, throughput, warmUp } = await import('../support/echoLoad.js');
const { withArbiter } = await import('../support/withArbiter.js');

const mode = process.argv[2] ?? 'pipelined';
const bytes = Number(process.argv[3] ?? 16);
const count = Number(process.argv[4] ?? 200_000);
const concurrency = process.argv[5] === 'thread' ? 'thread' : 'process';
const text = 'x'.repeat(bytes);
/** `object`: the string in an object (`{ text }`), as the bench's "object" rows send it. */
const payload = process.argv[6] === 'object' ? { text } : text;

await withArbiter(async () => {
  const proxy = await spawn({ name: 'profiled-echo', concurrency });
  try {
    const request = (p: unknown): PromiseLike<unknown> => send(proxy, 'echo', p);
    await warmUp(request, payload, 2000);
    const start = performance.now();
    const figure =
      mode === 'sequential'
        ? `median round trip ${(await roundTrip(request, payload, count)).toFixed(1)} µs`
        : `${Math.round(await throughput(request, payload, count, 100))} msg/s`;
    const seconds = ((performance.now() - start) / 1000).toFixed(2);
    console.log(`${mode} ${count} × ${bytes} B echo: ${figure} (${seconds} s)`);
  } finally {
    await proxy.stop();
  }
});
