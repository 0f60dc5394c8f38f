// Two hosts on one machine: this process's network namespace runs the
// arbiter, a namespace of the spec's own runs `rxpulsar join`, and a veth
// pair links them (see spec/support/netns.ts). Needs root: otherwise every
// test here is skipped, with the reason in its name.
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ActorExitedError,
  arbiter,
  captureLogs,
  type Arbiter,
  type LogCapture,
  type Monitor,
} from '../../lib/index.js';
import { web } from '../fixtures/remote/web.js';
import { startJoiner, type Joiner } from '../support/joiner.js';
import { makeTwoHosts, netnsUnavailable, type TwoHosts } from '../support/netns.js';
import { makeTlsFiles, type TlsFiles } from '../support/tlsFiles.js';
import { alive, waitFor, within } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));
const unavailable = netnsUnavailable();
/** A test that needs network namespaces: without them, pending (no body), its title saying why. */
const netnsIt = (title: string, fn: () => Promise<void>): void => {
  if (unavailable === undefined) it(title, fn);
  else it(`needs network namespaces (root and iproute2), not here: ${title}`);
};

/** GET `http://host:port/`: the pid that served and its host's addresses. */
function whoServes(host: string, port: number): Promise<{ pid: number; addresses: string[] }> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body) as { pid: number; addresses: string[] }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port}`)));
    req.on('error', reject);
  });
}

/** Two hosts, the hub's TLS files, an arbiter listening on this host's end of the link. */
async function twoHosts(): Promise<{ hosts: TwoHosts; files: TlsFiles; a: Arbiter }> {
  const hosts = makeTwoHosts();
  const files = makeTlsFiles([hosts.here]);
  const a = arbiter({
    signals: false,
    control: false,
    timeout: 3000,
    exitTimeout: 2000,
    hub: `tls://${hosts.here}:0`,
    hubCert: files.cert,
    hubKey: files.key,
    hubSecretFile: files.secret,
  });
  await a.start();
  return { hosts, files, a };
}

const remoteAids = (a: Arbiter): string[] =>
  (a.remote?.nodes ?? []).flatMap((n) => n.workers.map((w) => w.aid));
const remotePids = (a: Arbiter): number[] =>
  (a.remote?.nodes ?? []).flatMap((n) => n.workers.map((w) => w.pid));

describe('RemoteHub', function () {
  // Set here, not in a test's body: \`rxpulsar test\` learns a runnable's
  // timeout when it begins (a test spawns processes, hooks stop them).
  this.timeout(240_000);

  let logs: LogCapture;
  let hosts: TwoHosts | undefined;
  let files: TlsFiles | undefined;
  let a: Arbiter | undefined;
  let joiner: Joiner | undefined;

  /**
   * Two hosts, a pool of one local worker here, and a node on the other
   * host joining it with two workers.
   * @param fence - the node's `--fence-timeout`.
   */
  async function poolJoined(
    fence: string,
  ): Promise<{ pool: Monitor; arbiter: Arbiter; hosts: TwoHosts; node: Joiner }> {
    const made = await twoHosts();
    ({ hosts, files, a } = made);
    const pool = made.a.addMonitor('pool', { workers: 1, module: workerModule, period: 200 });
    await pool.start();
    const node = startJoiner(made.a.remote!.address!, made.files, {
      app: 'pool',
      host: made.hosts,
      args: ['--fence-timeout', fence],
    });
    joiner = node; // for afterEach
    return { pool, arbiter: made.a, hosts: made.hosts, node };
  }

  beforeEach(() => {
    logs = captureLogs('debug');
  });

  afterEach(async () => {
    await joiner?.kill();
    await a?.stop();
    if (joiner !== undefined) await within(joiner.closed, 20_000, 'the joined workers gone');
    hosts?.remove();
    files?.remove();
    logs.restore();
    [hosts, files, a, joiner] = [undefined, undefined, undefined, undefined];
  });

  describe('two hosts (network namespaces and a veth pair)', () => {
    netnsIt(
      'should serve an HttpServer on the same bind on both hosts: joined workers on theirs, local ones here',
      async () => {
        ({ hosts, files, a } = await twoHosts());
        await web.start();
        try {
          const port = Number(web.address!.split(':').pop());
          joiner = startJoiner(a.remote!.address!, files, { app: web.name, host: hosts });
          const pool = web.monitor!;
          await waitFor(
            () =>
              remotePids(a!).filter((pid) => pid > 0).length === 2 &&
              pool.managedActors.length === 3,
            60_000,
            'three workers, two joined from the other host',
          );
          const joined = remotePids(a);
          const local = pool.managedActors
            .map((p) => p.pid)
            .filter((pid) => pid !== undefined && !joined.includes(pid));
          for (let i = 0; i < 4; i++) {
            const there = await whoServes(hosts.there, port);
            expect(joined).to.include(there.pid);
            expect(there.addresses).to.deep.equal([hosts.there]);
            const here = await whoServes(hosts.here, port);
            expect(local).to.include(here.pid);
            expect(here.addresses).to.include(hosts.here);
          }
        } finally {
          await web.stop();
        }
      },
    );

    for (const how of ['down', 'deleted'] as const) {
      netnsIt(
        `should lose the other host when the link is cut (veth ${how}): its workers gone, requests failed, the pool whole here, the node fenced`,
        async () => {
          const { pool, arbiter: a, hosts, node: joiner } = await poolJoined('2s');
          await waitFor(
            () =>
              remotePids(a).filter((pid) => pid > 0).length === 2 &&
              pool.managedActors.length === 3,
            60_000,
            'three workers, two joined from the other host',
          );
          const pids = remotePids(a);
          const pending = a.send(remoteAids(a)[0]!, 'slow', 60_000, 'never');
          await new Promise((resolve) => setTimeout(resolve, 200));
          if (how === 'down') hosts.cut();
          else hosts.unplug();
          let error: unknown;
          try {
            await within(pending, 20_000, 'a failed request');
          } catch (err) {
            error = err;
          }
          expect(error).to.be.instanceOf(ActorExitedError);
          const said = logs.records.map((r) => r.message).join('\n');
          expect(said).to.match(
            /lost node agent .* \(silent for more than \d+ ms\): 2 workers gone/,
          );
          await waitFor(
            () => pool.managedActors.length === 3 && remoteAids(a).length === 0,
            60_000,
            'three local workers',
          );
          // Cut off, the node stops its workers after its fence timeout and ends.
          expect(await within(joiner.exit, 60_000, 'the joiner fencing itself')).to.equal(1);
          expect(joiner.output()).to.match(/lost the arbiter/);
          expect(joiner.output()).to.match(/fenced: stopping 2 workers/);
          await waitFor(() => pids.every((pid) => !alive(pid)), 20_000, 'the joined workers gone');
          pool.resize(1);
          await waitFor(() => pool.managedActors.length === 1, 20_000, 'the pool back to one');
        },
      );
    }

    netnsIt(
      'should take the other host back when the cut link is mended within its fence timeout',
      async () => {
        const { pool, arbiter: a, hosts, node: joiner } = await poolJoined('60s');
        const joinedHere = (): boolean =>
          remotePids(a).filter((pid) => pid > 0).length === 2 &&
          pool.managedActors.length === 3 &&
          pool.workers === 3;
        await waitFor(joinedHere, 60_000, 'three workers, two joined from the other host');
        const before = remotePids(a);
        hosts.cut();
        await waitFor(
          () => remoteAids(a).length === 0 && pool.managedActors.length === 3,
          60_000,
          'the other host lost, the pool whole here',
        );
        hosts.mend();
        await waitFor(
          joinedHere,
          60_000,
          'the other host back with two workers, the pool at three',
        );
        expect(remotePids(a).filter((pid) => before.includes(pid))).to.deep.equal([]);
        await waitFor(() => before.every((pid) => !alive(pid)), 20_000, 'the old workers gone');
        expect(joiner.child.exitCode).to.equal(null);
        expect(joiner.output()).to.match(/joined tls:\S+ again \(attempt \d+\)/);
      },
    );
  });
});
