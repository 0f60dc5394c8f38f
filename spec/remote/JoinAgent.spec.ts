// The node agent against a hub of the spec's own (a TLS server running the
// hub side of the exchange), to see what the agent does on its side.
import { readFileSync } from 'node:fs';
import { createServer as createPlainServer, type AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { expect } from 'chai';
import { captureLogs, ProtocolError, type LogCapture } from '../../lib/index.js';
import { authenticate } from '../../lib/transport/hubAuth.js';
import { JoinAgent, rejoinDelay } from '../../lib/remote/JoinAgent.js';
import { connectTls } from '../../lib/transport/tlsConnect.js';
import { standardProblems } from '../../lib/application/checkAppConfig.js';
import { createLogger } from '../../lib/log/createLogger.js';
import { hello, PROTOCOL_VERSION } from '../../lib/transport/peerAuth.js';
import { makeTlsFiles, type TlsFiles } from '../support/tlsFiles.js';
import { waitFor, within } from '../support/waiting.js';

describe('JoinAgent', () => {
  let files: TlsFiles;
  let server: Server;
  let url: string;
  let logs: LogCapture;
  let onPeer: (socket: TLSSocket) => void = () => undefined;
  const sockets = new Set<TLSSocket>();

  before(async () => {
    logs = captureLogs('debug');
    files = makeTlsFiles();
    server = createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) });
    server.on('secureConnection', (socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
      onPeer(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `tls://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    logs.restore();
    files.remove();
  });

  describe('start()', () => {
    it('should fail clearly on a hub of another protocol version, and tell it', async () => {
      let told = '';
      onPeer = (socket) => {
        socket.on('data', (chunk: Buffer) => (told += chunk.toString()));
        socket.write(`${JSON.stringify({ ...hello(), version: PROTOCOL_VERSION + 1 })}\n`);
      };
      let error: unknown;
      try {
        await connectTls(url, { secretFile: files.secret, ca: files.cert }, { as: 'agent' }, 5000);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ProtocolError);
      const mismatch = `protocol version ${PROTOCOL_VERSION + 1} is not ${PROTOCOL_VERSION}`;
      expect((error as Error).message).to.contain(mismatch);
      await waitFor(() => told.includes(`"error":"${mismatch}`), 5000, 'the hub told');
    });

    it('should say so, in words, when the address is no TLS hub (plain TCP, HTTP)', async () => {
      const plain = createPlainServer((socket) => {
        socket.on('error', () => undefined);
        socket.resume(); // reads the ClientHello, and so the client's end
        socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      });
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
      const http = `tls://127.0.0.1:${(plain.address() as AddressInfo).port}`;
      let error: unknown;
      try {
        await connectTls(http, { secretFile: files.secret, ca: files.cert }, { as: 'agent' }, 5000);
      } catch (err) {
        error = err;
      } finally {
        await new Promise((resolve) => plain.close(resolve));
      }
      expect(error).to.be.instanceOf(ProtocolError);
      expect((error as Error).message).to.match(
        /^tls:\/\/127\.0\.0\.1:\d+ is not an rxpulsar hub: the TLS handshake failed \(wrong version number\)$/,
      );
    });

    it('should refuse a hub that does not prove the secret', async () => {
      const wrong = readFileSync(files.wrongSecret, 'utf8').trim();
      onPeer = (socket) =>
        void authenticate(socket, { role: 'hub', secret: Buffer.from(wrong), timeout: 5000 }).catch(
          () => undefined,
        );
      let error: unknown;
      try {
        await connectTls(url, { secretFile: files.secret, ca: files.cert }, { as: 'agent' }, 5000);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ProtocolError);
      expect((error as Error).message).to.match(/did not prove the shared secret/);
    });
  });

  describe('done', () => {
    it('should end (fenced) after two silent heartbeats and the fence timeout, if it cannot join again', async () => {
      const secret = Buffer.from(readFileSync(files.secret, 'utf8').trim());
      let accepted = 0;
      onPeer = (socket) => {
        // The first connection is proved, then stays silent; later ones are refused.
        if (accepted++ > 0) socket.destroy();
        else
          void authenticate(socket, {
            role: 'hub',
            secret,
            timeout: 5000,
            claim: { heartbeat: 100 },
          }).catch(() => undefined);
      };
      const agent = new JoinAgent({
        url,
        app: 'pool',
        workers: 1,
        tls: { secretFile: files.secret, ca: files.cert },
        fenceTimeout: 1000,
        logger: createLogger('join'),
      });
      await agent.start();
      expect(await within(agent.done, 10_000, 'the agent ending')).to.equal(1);
      expect(logs.records.map((r) => r.message).join('\n')).to.match(/lost the arbiter \(no word/);
      expect(accepted).to.be.greaterThan(1);
    });

    it('should join again under the same node id when the hub comes back within the fence timeout', async () => {
      const secret = Buffer.from(readFileSync(files.secret, 'utf8').trim());
      const claims: Record<string, unknown>[] = [];
      onPeer = (socket) =>
        void authenticate(socket, { role: 'hub', secret, timeout: 5000, claim: { heartbeat: 100 } })
          .then(({ claim }) => {
            claims.push(claim);
            // The first session ends at once (the hub restarted); the next one lives.
            if (claims.length === 1) socket.destroy();
            else socket.on('data', () => socket.write('{"op":"ping"}\n'));
          })
          .catch(() => undefined);
      const agent = new JoinAgent({
        url,
        app: 'pool',
        workers: 2,
        tls: { secretFile: files.secret, ca: files.cert },
        fenceTimeout: 30_000,
        logger: createLogger('join'),
      });
      await agent.start();
      await waitFor(() => claims.length === 2, 10_000, 'a second join');
      expect(claims[1]).to.include({ as: 'agent', app: 'pool', workers: 2, node: agent.node });
      expect(claims[0]!['node']).to.equal(agent.node);
      expect(claims[1]!['fence']).to.equal(30_000);
      await waitFor(
        () => logs.records.some((r) => /joined tls:\S+ again \(attempt 1\)/.test(r.message)),
        10_000,
        'the agent logging it',
      );
      await agent.stop();
      expect(await within(agent.done, 10_000, 'the agent ending')).to.equal(0);
    });
  });
});

describe('rejoinDelay()', () => {
  it('should double from 250 ms up to 5 s, within ±20 %', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((n) => rejoinDelay(n, 0.5))).to.deep.equal([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(rejoinDelay(0, 0)).to.equal(200);
    expect(rejoinDelay(10, 0.999_999)).to.equal(6000);
  });
});

describe('standardProblems()', () => {
  it('should refuse a hub on TCP without TLS, or without a secret (exit 2)', () => {
    const tcp = standardProblems({ hub: 'tcp://0.0.0.0:7070' });
    expect(tcp[0]).to.include({ key: 'hub' });
    expect(tcp[0]!.expected).to.match(/never listens on TCP without TLS/);
    const noSecret = standardProblems({ hub: 'tls://0.0.0.0:7070', hubCert: 'c', hubKey: 'k' });
    expect(noSecret[0]!.expected).to.match(/hub-secret-file/);
  });
});
