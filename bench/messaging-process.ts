/**
 * Scenario `messaging-process`: the arbiter and one process actor, `echo`
 * round trip (one in flight) and pipelined throughput (100 in flight) at
 * 16 B, 1 KB and 64 KB strings (and 1 KB in an object, which rxpulsar
 * writes in JSON where it writes a lone string raw), against a raw Unix-socket NDJSON echo, a
 * `fork()` + `process.send` echo and a forked comedy actor (the actor
 * framework of the same kind) measured in the same run; plus, as a
 * diagnostic without target, bare node-ipc (the transport rxpulsar is built
 * on), which splits the cost between the transport and rxpulsar's layers.
 * @module
 */
import { send, spawn } from '../lib/index.js';
import { ComedyEcho } from './support/ComedyEcho.js';
import { echoMatrix, sizeLabel, type EchoPlan } from './support/echoMatrix.js';
import { ForkEcho } from './support/ForkEcho.js';
import { NodeIpcEcho } from './support/NodeIpcEcho.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { SocketEcho } from './support/SocketEcho.js';
import { withArbiter } from './support/withArbiter.js';

/** Payload sizes and how much to send of each (sized for a 2-core machine). */
export const PLANS: EchoPlan[] = [
  {
    bytes: 16,
    roundTrips: 4000,
    roundTripSlice: 100,
    pipelined: 30_000,
    pipelinedSlice: 3000,
    inFlight: 100,
  },
  {
    bytes: 1024,
    roundTrips: 3000,
    roundTripSlice: 100,
    pipelined: 15_000,
    pipelinedSlice: 3000,
    inFlight: 100,
  },
  {
    bytes: 1024,
    object: true,
    roundTrips: 2000,
    roundTripSlice: 100,
    pipelined: 9000,
    pipelinedSlice: 3000,
    inFlight: 100,
  },
  {
    bytes: 64 * 1024,
    roundTrips: 200,
    roundTripSlice: 20,
    pipelined: 600,
    pipelinedSlice: 200,
    inFlight: 100,
  },
];

const NODE_IPC_NOTE =
  'diagnostic: bare node-ipc 12 client/server, one frame per message, no rxpulsar layers';

async function run(): Promise<Row[]> {
  return withArbiter(async () => {
    const proxy = await spawn({ name: 'bench-echo', concurrency: 'process' });
    const socket = await SocketEcho.start();
    const forked = await ForkEcho.start();
    const nodeIpc = await NodeIpcEcho.start();
    const comedy = await ComedyEcho.start();
    try {
      const rows: Row[] = [];
      for (const plan of PLANS) {
        const size = sizeLabel(plan.bytes, plan.object);
        const figures = await echoMatrix(
          [
            { name: 'rxpulsar', request: (p) => send(proxy, 'echo', p) },
            { name: 'socket', request: socket.request },
            { name: 'fork', request: forked.request },
            { name: 'node-ipc', request: nodeIpc.request },
            { name: 'comedy', request: comedy.request },
          ],
          plan,
        );
        const rx = figures.get('rxpulsar');
        const raw = figures.get('socket');
        const fk = figures.get('fork');
        const ni = figures.get('node-ipc');
        const co = figures.get('comedy');
        if (!rx || !raw || !fk || !ni || !co) continue;
        rows.push(
          compare(`process round trip ${size} vs raw socket`, 'µs', rx.roundTrip, raw.roundTrip, {
            better: 'lower',
            target: 1.2,
          }),
          compare(`process round trip ${size} vs comedy`, 'µs', rx.roundTrip, co.roundTrip, {
            better: 'lower',
            target: 1,
          }),
          compare(`process round trip ${size} vs fork IPC`, 'µs', rx.roundTrip, fk.roundTrip, {
            better: 'lower',
          }),
          compare(
            `process pipelined ${size} vs raw socket`,
            'msg/s',
            rx.throughput,
            raw.throughput,
            { better: 'higher', target: 0.9 },
          ),
          compare(`process pipelined ${size} vs comedy`, 'msg/s', rx.throughput, co.throughput, {
            better: 'higher',
          }),
          compare(`process pipelined ${size} vs fork IPC`, 'msg/s', rx.throughput, fk.throughput, {
            better: 'higher',
          }),
          compare(`process round trip ${size} vs bare node-ipc`, 'µs', rx.roundTrip, ni.roundTrip, {
            better: 'lower',
            note: NODE_IPC_NOTE,
          }),
          compare(
            `process pipelined ${size} vs bare node-ipc`,
            'msg/s',
            rx.throughput,
            ni.throughput,
            { better: 'higher', note: NODE_IPC_NOTE },
          ),
        );
      }
      return rows;
    } finally {
      await Promise.all([
        proxy.stop(),
        socket.close(),
        forked.close(),
        nodeIpc.close(),
        comedy.close(),
      ]);
    }
  });
}

/** The scenario. */
export const scenario: Scenario = { name: 'messaging-process', run };
