/**
 * Scenario `messaging-thread`: the arbiter and one thread actor, `echo`
 * round trip and pipelined throughput at 16 B, 1 KB (a string, then an
 * object holding it) and 64 KB, against a
 * bare `worker_threads` `postMessage` echo measured in the same run; and a
 * 64 KB Buffer both ways (bytes are transferred ArrayBuffers on a port,
 * not base64), against `postMessage` of the same Buffer (a structured clone).
 * @module
 */
import { send, spawn } from '../lib/index.js';
import { PLANS } from './messaging-process.js';
import { echoMatrix, sizeLabel } from './support/echoMatrix.js';
import { roundTrip } from './support/echoLoad.js';
import { median } from './support/stats.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { withArbiter } from './support/withArbiter.js';
import { WorkerEcho } from './support/WorkerEcho.js';

/**
 * The process scenario's plans, but 64 KB pipelined in slices of 1000: a
 * thread echoes 64 KB at 10-25k/s, so a slice of 200 with 100 in flight
 * lasted ~15 ms, half of it the ramp up and down, and its ratios ranged
 * 0.2-2.1× within one run.
 */
const THREAD_PLANS = PLANS.map((plan) =>
  plan.bytes >= 64 * 1024 ? { ...plan, pipelined: 3000, pipelinedSlice: 1000 } : plan,
);

async function run(): Promise<Row[]> {
  return withArbiter(async () => {
    const proxy = await spawn({ name: 'bench-echo', concurrency: 'thread' });
    const worker = await WorkerEcho.start();
    try {
      const rows: Row[] = [];
      for (const plan of THREAD_PLANS) {
        const size = sizeLabel(plan.bytes, plan.object);
        const figures = await echoMatrix(
          [
            { name: 'rxpulsar', request: (p) => send(proxy, 'echo', p) },
            { name: 'worker', request: worker.request },
          ],
          plan,
        );
        const rx = figures.get('rxpulsar');
        const base = figures.get('worker');
        if (rx === undefined || base === undefined) continue;
        rows.push(
          compare(`thread round trip ${size} vs postMessage`, 'µs', rx.roundTrip, base.roundTrip, {
            better: 'lower',
            target: 1.5,
          }),
          compare(
            `thread pipelined ${size} vs postMessage`,
            'msg/s',
            rx.throughput,
            base.throughput,
            { better: 'higher', target: 0.8 },
          ),
        );
      }
      const bytes = Buffer.alloc(64 * 1024, 7);
      const contenders = {
        rxpulsar: (p: unknown): PromiseLike<unknown> => send(proxy, 'echo', p),
        worker: worker.request,
      };
      const times: Record<string, number[]> = { rxpulsar: [], worker: [] };
      for (let round = 0; round < 12; round++) {
        for (const [name, request] of Object.entries(contenders)) {
          times[name]?.push(await roundTrip(request, bytes, 25));
        }
      }
      rows.push(
        compare(
          'thread round trip 64 KB Buffer vs postMessage',
          'µs',
          median((times['rxpulsar'] ?? []).slice(2)),
          median((times['worker'] ?? []).slice(2)),
          { better: 'lower', note: 'bytes as transferred ArrayBuffers (no base64)' },
        ),
      );
      return rows;
    } finally {
      await Promise.all([proxy.stop(), worker.close()]);
    }
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'messaging-thread', run };
