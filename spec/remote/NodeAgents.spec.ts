// Nodes that join again (`rxpulsar join` as another process on 127.0.0.1,
// as another machine would be): after a loss the arbiter noticed, and after
// a restart of the arbiter.
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  arbiter,
  captureLogs,
  type Arbiter,
  type LogCapture,
  type Monitor,
} from '../../lib/index.js';
import { startJoiner, type Joiner } from '../support/joiner.js';
import { makeTlsFiles, type TlsFiles } from '../support/tlsFiles.js';
import { alive, waitFor, within } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));

const remotePids = (a: Arbiter): number[] =>
  (a.remote?.nodes ?? []).flatMap((n) => n.workers.map((w) => w.pid));

/** An arbiter with a TLS hub (port 0: any) and a pool of one local worker. */
async function start(files: TlsFiles, port = 0): Promise<{ a: Arbiter; pool: Monitor }> {
  const a = arbiter({
    signals: false,
    control: false,
    timeout: 3000,
    exitTimeout: 2000,
    hub: `tls://127.0.0.1:${port}`,
    hubCert: files.cert,
    hubKey: files.key,
    hubSecretFile: files.secret,
  });
  await a.start();
  const pool = a.addMonitor('pool', { workers: 1, module: workerModule, period: 200 });
  await pool.start();
  return { a, pool };
}

/** Until the pool has its local worker and the node's two (their pids known). */
async function joined(a: Arbiter, pool: Monitor, what: string): Promise<number[]> {
  await waitFor(
    () =>
      remotePids(a).filter((pid) => pid > 0).length === 2 &&
      pool.managedActors.length === 3 &&
      pool.workers === 3,
    30_000,
    what,
  );
  return remotePids(a);
}

describe('NodeAgents', function () {
  // Set here, not in a test's body: \`rxpulsar test\` learns a runnable's
  // timeout when it begins (a test spawns processes, hooks stop them).
  this.timeout(90_000);

  let files: TlsFiles;
  let logs: LogCapture;
  let a: Arbiter | undefined;
  let joiner: Joiner | undefined;

  beforeEach(() => {
    logs = captureLogs('debug');
    files = makeTlsFiles();
  });

  afterEach(async () => {
    if (joiner?.child.signalCode === null) joiner.child.kill('SIGCONT');
    await joiner?.kill();
    await a?.stop();
    if (joiner !== undefined) await within(joiner.closed, 20_000, 'the joined workers gone');
    files.remove();
    logs.restore();
    [a, joiner] = [undefined, undefined];
  });

  describe('attach()', () => {
    it('should give back its slots to a node that joins again: the pool keeps its size, the node its workers', async () => {
      let pool: Monitor;
      ({ a, pool } = await start(files));
      joiner = startJoiner(a.remote!.address!, files, {
        app: 'pool',
        args: ['--fence-timeout', '60s'],
      });
      const before = await joined(a, pool, 'three workers, two joined');
      const node = a.remote!.nodes[0]!.node;
      expect(node).to.be.a('string');
      // Frozen for more than two heartbeats: the arbiter loses the node.
      joiner.child.kill('SIGSTOP');
      await waitFor(
        () => remotePids(a!).length === 0 && pool.managedActors.length === 3,
        30_000,
        'the node lost, the pool whole here',
      );
      expect(pool.workers).to.equal(3);
      joiner.child.kill('SIGCONT');
      const after = await joined(a, pool, 'the node back with two workers, the pool at three');
      expect(a.remote!.nodes[0]!.node).to.equal(node);
      expect(after.filter((pid) => before.includes(pid))).to.deep.equal([]);
      // The workers of the lost session are gone; the node agent lives on.
      await waitFor(() => before.every((pid) => !alive(pid)), 20_000, 'the old workers gone');
      expect(joiner.child.exitCode).to.equal(null);
      await waitFor(
        () => /joined tls:\S+ again \(attempt \d+\): stopping \d+ workers/.test(joiner!.output()),
        10_000,
        'the node logging its rejoin',
      );
      const said = logs.records.map((r) => r.message).join('\n');
      expect(said).to.match(/joined app "pool" again: 2 workers will retire/);
      expect(said).to.match(/resized 4 → 3 \(node rejoined\)/);
    });

    it('should take the node back after the arbiter restarts on the same address', async () => {
      let pool: Monitor;
      ({ a, pool } = await start(files));
      const address = a.remote!.address!;
      joiner = startJoiner(address, files, { app: 'pool', args: ['--fence-timeout', '60s'] });
      await joined(a, pool, 'three workers, two joined');
      await a.stop();
      a = undefined;
      ({ a, pool } = await start(files, Number(address.split(':')[1])));
      await joined(a, pool, 'the node joined to the new arbiter');
      expect(joiner.child.exitCode).to.equal(null);
      expect(joiner.output()).to.match(/lost the arbiter \(the connection closed\)/);
      expect(joiner.output()).to.match(/joined tls:\S+ again/);
    });
  });
});
