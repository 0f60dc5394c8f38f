// The hub on TLS and `rxpulsar join`: a joiner is another process (its own
// runtime, no folder of the arbiter's) on 127.0.0.1, as another machine would be.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ActorExitedError,
  arbiter,
  captureLogs,
  ImproperlyConfiguredError,
  Arbiter,
  type LogCapture,
  type Monitor,
} from '../../lib/index.js';
import { hello, PROTOCOL_VERSION } from '../../lib/transport/peerAuth.js';
import { makeTlsFiles, type TlsFiles } from '../support/tlsFiles.js';
import { alive, waitFor, within } from '../support/waiting.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));
const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

/** A joiner process and what it printed. */
interface Joiner {
  child: ChildProcess;
  stderr: string;
  exit: Promise<number | null>;
}

function join(address: string, files: TlsFiles, extra: string[] = []): Joiner {
  const args = [bin, 'join', `tls://${address}`, '--app', 'pool', '-w', '2'];
  args.push('--hub-ca', files.cert, '--fence-timeout', '1s', ...extra);
  if (!extra.includes('--hub-secret-file')) args.push('--hub-secret-file', files.secret);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const joiner: Joiner = {
    child,
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stderr.on('data', (chunk: Buffer) => (joiner.stderr += chunk.toString()));
  return joiner;
}

/** Open a TLS connection to the hub (certificate checked) and read its lines. */
async function rawPeer(
  address: string,
  files: TlsFiles,
): Promise<{ socket: TLSSocket; text: () => string; closed: Promise<void> }> {
  const [host, port] = address.split(':');
  const socket = tlsConnect({ host, port: Number(port), ca: readFileSync(files.cert) });
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  return { socket, text: () => text, closed };
}

const remoteAids = (a: Arbiter): string[] =>
  (a.remote?.nodes ?? []).flatMap((n) => n.workers.map((w) => w.aid));

describe('TlsListener', () => {
  let files: TlsFiles;
  let a: Arbiter;
  let pool: Monitor;
  let address: string;
  let logs: LogCapture;

  before(async () => {
    logs = captureLogs('debug');
    files = makeTlsFiles();
    a = arbiter({
      signals: false,
      control: false,
      timeout: 3000,
      exitTimeout: 2000,
      hub: 'tls://127.0.0.1:0',
      hubCert: files.cert,
      hubKey: files.key,
      hubSecretFile: files.secret,
    });
    await a.start();
    address = a.remote!.address!;
    pool = a.addMonitor('pool', { workers: 1, module: workerModule, period: 200 });
    await pool.start();
  });

  after(async () => {
    await a.stop();
    logs.restore();
    files.remove();
  });

  describe('constructor()', () => {
    it('should refuse a hub on TCP without TLS, or without a secret', () => {
      expect(
        () =>
          new Arbiter({
            hub: 'tcp://127.0.0.1:0',
            hubCert: files.cert,
            hubKey: files.key,
            hubSecretFile: files.secret,
          }),
      ).to.throw(ImproperlyConfiguredError, /never listens on TCP without TLS/);
      expect(
        () => new Arbiter({ hub: 'tls://127.0.0.1:0', hubCert: files.cert, hubKey: files.key }),
      ).to.throw(ImproperlyConfiguredError, /hub-secret-file/);
    });
  });

  describe('join', () => {
    let joiner: Joiner;

    after(async () => {
      if (joiner.child.exitCode === null && joiner.child.signalCode === null) {
        joiner.child.kill('SIGKILL');
        await joiner.exit;
      }
    });

    it("should add the joiner's workers to the pool, answering send", async () => {
      joiner = join(address, files);
      await waitFor(
        () => remoteAids(a).length === 2 && pool.managedActors.length === 3,
        20_000,
        'three workers, two joined',
      );
      const [remote] = remoteAids(a);
      const who = (await within(a.send(remote!, 'whoami'), 10_000, 'an answer')) as {
        aid: string;
        pid: number;
      };
      expect(who.aid).to.equal(remote);
      expect(who.pid).to.not.equal(process.pid);
      const node = a.remote!.nodes[0]!;
      expect(node.app).to.equal('pool');
      expect(node.workers.map((w) => w.pid)).to.include(who.pid);
      expect(a.actors.map((p) => p.aid)).to.include(remote);
      const info = a.info() as { hub: string; nodes: { workers: unknown[] }[] };
      expect(info.hub).to.equal(address);
      expect(info.nodes[0]!.workers).to.have.length(2);
      await waitFor(
        () => pool.managedActors.find((p) => p.aid === remote)?.pid === who.pid,
        10_000,
        'its pid',
      );
    });

    it('should heal a joined worker that dies, on its node', async () => {
      const node = a.remote!.nodes[0]!;
      const victim = node.workers[0]!;
      process.kill(victim.pid, 'SIGKILL');
      await waitFor(
        () =>
          remoteAids(a).length === 2 &&
          !remoteAids(a).includes(victim.aid) &&
          pool.managedActors.length === 3,
        20_000,
        'a new joined worker',
      );
    });

    it('should notice a lost node, fail its pending requests and make the pool whole here', async () => {
      const [remote] = remoteAids(a);
      const pids = a.remote!.nodes[0]!.workers.map((w) => w.pid);
      const pending = a.send(remote!, 'slow', 60_000, 'never');
      await new Promise((resolve) => setTimeout(resolve, 200));
      joiner.child.kill('SIGKILL');
      let error: unknown;
      try {
        await within(pending, 10_000, 'a failed request');
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ActorExitedError);
      expect(a.remote!.nodes).to.have.length(0);
      await waitFor(
        () => pool.managedActors.length === 3 && remoteAids(a).length === 0,
        20_000,
        'three local workers',
      );
      // The joined workers stop themselves without their agent and hub.
      await waitFor(() => pids.every((pid) => !alive(pid)), 20_000, 'joined workers gone');
      pool.resize(1);
      await waitFor(() => pool.managedActors.length === 1, 20_000, 'the pool back to one');
    });
  });

  describe('a silent node', () => {
    it('should be lost after two heartbeats without a word (a cut link: the agent frozen)', async () => {
      const frozen = join(address, files);
      try {
        await waitFor(
          () => remoteAids(a).length === 2 && pool.managedActors.length === 3,
          20_000,
          'three workers, two joined',
        );
        const [remote] = remoteAids(a);
        const pids = a.remote!.nodes[0]!.workers.map((w) => w.pid);
        const pending = a.send(remote!, 'slow', 60_000, 'never');
        await new Promise((resolve) => setTimeout(resolve, 200));
        frozen.child.kill('SIGSTOP');
        let error: unknown;
        try {
          await within(pending, 15_000, 'a failed request');
        } catch (err) {
          error = err;
        }
        expect(error).to.be.instanceOf(ActorExitedError);
        const said = logs.records.map((r) => r.message).join('\n');
        expect(said).to.match(/lost node agent .* \(silent for more than \d+ ms\)/);
        await waitFor(
          () => pool.managedActors.length === 3 && remoteAids(a).length === 0,
          20_000,
          'three local workers',
        );
        frozen.child.kill('SIGKILL');
        await frozen.exit;
        // Their hub connections were closed by the arbiter: they stop.
        await waitFor(() => pids.every((pid) => !alive(pid)), 20_000, 'joined workers gone');
      } finally {
        frozen.child.kill('SIGKILL');
        await frozen.exit;
      }
      pool.resize(1);
      await waitFor(() => pool.managedActors.length === 1, 20_000, 'the pool back to one');
    });
  });

  describe('authentication', () => {
    it('should refuse a joiner with the wrong secret, on both sides', async () => {
      const joiner = join(address, files, ['--hub-secret-file', files.wrongSecret]);
      const code = await within(joiner.exit, 20_000, 'the joiner exiting');
      expect(code).to.equal(1);
      expect(joiner.stderr).to.match(/did not prove the shared secret/);
      await waitFor(
        () => logs.records.some((r) => /did not prove the shared secret/.test(r.message)),
        10_000,
        'the hub logging it',
      );
      expect(a.remote!.nodes).to.have.length(0);
    });

    it('should refuse a node that joins an app not running here', async () => {
      const joiner = join(address, files, ['--app', 'nosuch']);
      expect(await within(joiner.exit, 20_000, 'the joiner exiting')).to.equal(1);
      const said = logs.records.map((r) => r.message).join('\n');
      expect(said).to.match(/refusing node agent .*no app "nosuch" runs here/);
      expect(a.remote!.nodes).to.have.length(0);
    });

    it('should drop plain TCP (no TLS)', async () => {
      const [host, port] = address.split(':');
      const socket = netConnect({ host, port: Number(port) });
      socket.on('error', () => undefined);
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(`${JSON.stringify(hello())}\n`);
      await within(closed, 10_000, 'the connection closed');
      await waitFor(
        () => logs.records.some((r) => /no TLS handshake/.test(r.message)),
        10_000,
        'the hub logging it',
      );
    });

    it('should drop garbage before the proof', async () => {
      const peer = await rawPeer(address, files);
      peer.socket.write('GET / HTTP/1.1\r\n\r\n{"type":"m","data":[]}\f\n');
      await within(peer.closed, 10_000, 'the connection closed');
      expect(peer.text()).to.match(/not an rxpulsar peer/);
    });

    it('should drop a peer that sends more than 4 KiB before proving itself', async () => {
      const peer = await rawPeer(address, files);
      peer.socket.write('x'.repeat(5000));
      await within(peer.closed, 10_000, 'the connection closed');
      expect(peer.text()).to.match(/over 4096 bytes before proving itself/);
    });

    it('should tell a peer of another protocol version, and log it', async () => {
      const peer = await rawPeer(address, files);
      peer.socket.write(`${JSON.stringify({ ...hello(), version: 99 })}\n`);
      await within(peer.closed, 10_000, 'the connection closed');
      expect(peer.text()).to.contain(`protocol version 99 is not ${PROTOCOL_VERSION}`);
      await waitFor(
        () => logs.records.some((r) => /protocol version 99/.test(r.message)),
        10_000,
        'the hub logging it',
      );
    });
  });
});
