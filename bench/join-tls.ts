/**
 * Scenario `join-tls`: an actor on a joined node (`rxpulsar join`, another
 * process, TLS on loopback with the shared-secret proof done) against a
 * local process actor (Unix socket hub) and a raw TLS NDJSON echo measured
 * in the same run: `echo` round trip (one in flight) and pipelined
 * throughput (100 in flight) at 16 B and 1 KB. Target: the joined actor's
 * 16 B throughput at least 0.7× the raw TLS echo's.
 * @module
 */
import { spawn as spawnProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arbiter, send, spawn } from '../lib/index.js';
import { makeTlsFiles } from '../spec/support/tlsFiles.js';
import { echoMatrix, sizeLabel, type EchoPlan } from './support/echoMatrix.js';
import { endChild } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { TlsEcho } from './support/TlsEcho.js';
import type { LineEcho } from './support/LineEcho.js';

const BIN = fileURLToPath(new URL('../../bin/rxpulsar.js', import.meta.url));

/** Payload sizes and how much to send of each (sized for a 2-core machine). */
const PLANS: EchoPlan[] = [
  {
    bytes: 16,
    roundTrips: 2000,
    roundTripSlice: 100,
    pipelined: 20_000,
    pipelinedSlice: 2000,
    inFlight: 100,
  },
  {
    bytes: 1024,
    roundTrips: 1500,
    roundTripSlice: 100,
    pipelined: 10_000,
    pipelinedSlice: 2000,
    inFlight: 100,
  },
];

async function run(): Promise<Row[]> {
  const files = makeTlsFiles();
  const a = arbiter({
    signals: false,
    control: false,
    hub: 'tls://127.0.0.1:0',
    hubCert: files.cert,
    hubKey: files.key,
    hubSecretFile: files.secret,
  });
  await a.start();
  const joiner = spawnProcess(
    process.execPath,
    [BIN, 'join', `tls://${a.remote!.address!}`, '--app', 'bench-remote', '-w', '1'].concat([
      '--hub-secret-file',
      files.secret,
      '--hub-ca',
      files.cert,
    ]),
    { stdio: 'inherit' },
  );
  let tls: LineEcho | undefined;
  try {
    const pool = a.addMonitor('bench-remote', { workers: 0 });
    await pool.start();
    const deadline = Date.now() + 30_000;
    while (pool.managedActors.length === 0) {
      if (Date.now() > deadline) throw new Error('no joined worker within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const remote = pool.managedActors[0]!;
    const local = await spawn({ name: 'bench-local', concurrency: 'process' });
    tls = await TlsEcho.start(files.cert, files.key);
    const rows: Row[] = [];
    for (const plan of PLANS) {
      const size = sizeLabel(plan.bytes);
      const figures = await echoMatrix(
        [
          { name: 'joined', request: (p) => send(remote, 'echo', p) },
          { name: 'local', request: (p) => send(local, 'echo', p) },
          { name: 'tls', request: tls.request },
        ],
        plan,
      );
      const joined = figures.get('joined');
      const here = figures.get('local');
      const raw = figures.get('tls');
      if (joined === undefined || here === undefined || raw === undefined) continue;
      rows.push(
        compare(`joined round trip ${size} vs raw TLS`, 'µs', joined.roundTrip, raw.roundTrip, {
          better: 'lower',
        }),
        compare(
          `joined round trip ${size} vs local process`,
          'µs',
          joined.roundTrip,
          here.roundTrip,
          {
            better: 'lower',
          },
        ),
        compare(
          `joined pipelined ${size} vs raw TLS`,
          'msg/s',
          joined.throughput,
          raw.throughput,
          plan.bytes === 16 ? { better: 'higher', target: 0.7 } : { better: 'higher' },
        ),
        compare(
          `joined pipelined ${size} vs local process`,
          'msg/s',
          joined.throughput,
          here.throughput,
          { better: 'higher' },
        ),
      );
    }
    return rows;
  } finally {
    await tls?.close();
    await a.stop();
    await endChild(joiner, 5000);
    files.remove();
  }
}

/** The scenario. */
export const scenario: Scenario = { name: 'join-tls', run };
