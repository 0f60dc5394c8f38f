// Nodes that join again (`rxpulsar join` as another process on 127.0.0.1,
// as another machine would be): after a loss the arbiter noticed, and after
// a restart of the arbiter.
import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import sinon from 'sinon';
import {
  arbiter,
  captureLogs,
  type Arbiter,
  type LogCapture,
  type Monitor,
} from '../../lib/index.js';
import type { ChildData } from '../../lib/child/ChildData.js';
import { createLogger } from '../../lib/log/createLogger.js';
import { NodeAgents } from '../../lib/remote/NodeAgents.js';
import { RemoteWorker } from '../../lib/remote/RemoteWorker.js';
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
    60_000,
    what,
  );
  return remotePids(a);
}

/** The little of a TLS socket that NodeAgents uses, recording what it is sent. */
class FakeSocket extends EventEmitter {
  readonly remoteAddress = '10.0.0.9';
  readonly remotePort = 60_000;
  destroyed = false;
  readonly sent: Record<string, unknown>[] = [];
  write(line: string): boolean {
    this.sent.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  }
  end(line?: string): void {
    if (line !== undefined) this.write(line);
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
  }
  /** The agent says something. */
  say(op: Record<string, unknown>): void {
    this.emit('data', `${JSON.stringify(op)}\n`);
  }
}

describe('NodeAgents', function () {
  // Set here, not in a test's body: \`rxpulsar test\` learns a runnable's
  // timeout when it begins (a test spawns processes, hooks stop them).
  this.timeout(240_000);

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

  describe('attach() (sockets of the spec)', () => {
    const heartbeat = 60_000;
    let agents: NodeAgents;
    let joins: [string, number][];
    let rejoined: string[];

    beforeEach(() => {
      joins = [];
      rejoined = [];
      agents = new NodeAgents({
        logger: createLogger('spec'),
        heartbeat,
        maxLineSize: 1 << 20,
        onJoin: (app, n) => void joins.push([app, n]),
        onRejoined: (app) => void rejoined.push(app),
      });
    });

    afterEach(() => {
      agents.close();
    });

    /** A proved agent of `node` with two slots, and the two workers placed on it. */
    function join(
      node: string,
      fence = 10_000,
    ): { socket: FakeSocket; aids: string[]; workers: RemoteWorker[] } {
      const socket = new FakeSocket();
      const claim = { as: 'agent', app: 'web', workers: 2, node, fence };
      agents.attach(socket as unknown as TLSSocket, { claim, rest: '' });
      const aids = [`${node}-a${joins.length}`, `${node}-b${joins.length}`];
      const workers = aids.map((aid) => agents.place('web', { aid } as ChildData)!);
      expect(workers.every((w) => w instanceof RemoteWorker)).to.equal(true);
      expect(socket.sent.filter((op) => op['op'] === 'spawn')).to.have.length(2);
      return { socket, aids, workers };
    }

    it('should drop the old session of a node that joins again, and give its slots back as its workers start', async () => {
      const first = join('n1');
      expect(agents.info[0]).to.include({ node: 'n1', app: 'web', slots: 2 });
      // The node comes back while its old session still looks alive here.
      const second = join('n1');
      await Promise.resolve();
      expect(first.socket.destroyed).to.equal(true);
      expect(first.workers.every((w) => w.exited)).to.equal(true);
      expect(agents.info).to.have.length(1);
      expect(agents.info[0]!.workers.map((w) => w.aid)).to.deep.equal(second.aids);
      expect(joins).to.deep.equal([
        ['web', 2],
        ['web', 2],
      ]);
      // The pool grew by two for the new session: it shrinks by one per worker started.
      second.socket.say({ op: 'started', aid: second.aids[0], pid: 101 });
      expect(rejoined).to.deep.equal(['web']);
      second.socket.say({ op: 'started', aid: second.aids[1], pid: 102 });
      second.socket.say({ op: 'started', aid: second.aids[1], pid: 102 });
      expect(rejoined).to.deep.equal(['web', 'web']);
    });

    it('should give the slots back to a lost node that joins again in time, not to another node', async () => {
      const lost = join('n1');
      lost.socket.destroy();
      await Promise.resolve();
      expect(agents.info).to.have.length(0);
      const other = join('n2');
      other.socket.say({ op: 'started', aid: other.aids[0], pid: 201 });
      expect(rejoined).to.deep.equal([]);
      const back = join('n1');
      for (const aid of back.aids) back.socket.say({ op: 'started', aid, pid: 301 });
      expect(rejoined).to.deep.equal(['web', 'web']);
    });

    it('should add the slots of a node back after its fence timeout and three heartbeats', async () => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      try {
        const lost = join('n1', 1000);
        lost.socket.destroy();
        await Promise.resolve();
        clock.tick(1000 + 3 * heartbeat + 1);
        const back = join('n1', 1000);
        for (const aid of back.aids) back.socket.say({ op: 'started', aid, pid: 401 });
        expect(rejoined).to.deep.equal([]);
      } finally {
        clock.restore();
      }
    });
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
        60_000,
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
