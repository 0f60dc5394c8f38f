import { request } from 'node:http';
import { expect } from 'chai';
import { keepAliveLoad, type LoadResult } from '../../support/keepAliveLoad.js';
import { reap, startServer, type Server } from '../../support/loadServer.js';
import { alive, sleep, waitFor } from '../../support/waiting.js';

/** One GET on a fresh connection: its status. */
function get(address: string, path: string): Promise<number> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const CLIENTS = 20;

describe('HttpServer', () => {
  describe('graceful stop under keep-alive load', () => {
    let server: Server | undefined;

    afterEach(async () => {
      await reap(server);
      server = undefined;
    });

    /** Load for a while, send `signal` (to the group when `group`), load until it exits. */
    async function stopUnderLoad(signal: NodeJS.Signals, group: boolean): Promise<LoadResult> {
      server = await startServer({ LOAD_WORKERS: '2' });
      const load = keepAliveLoad({
        address: server.address,
        clients: CLIENTS,
        ms: 30_000,
        stopOnRefused: true,
      });
      // A while under load, and every client served at least once on a
      // busy machine too (a fixed wait alone may see none served).
      await sleep(1000);
      await waitFor(() => load.result.ok >= CLIENTS, 20_000, 'the load served');
      const served = load.result.ok;
      process.kill(group ? -server.child.pid! : server.child.pid!, signal);
      const code = await server.exited;
      load.stop();
      const result = await load.done;
      expect(code, 'exit code').to.equal(0);
      expect(served, 'requests served before the signal').to.be.greaterThan(0);
      return result;
    }

    it('should lose no request on SIGINT to the process group (Ctrl-C)', async () => {
      const result = await stopUnderLoad('SIGINT', true);
      expect(result.lost, JSON.stringify(result)).to.equal(0);
    });

    it('should lose no request on SIGTERM to the process group (a service manager)', async () => {
      const result = await stopUnderLoad('SIGTERM', true);
      expect(result.lost, JSON.stringify(result)).to.equal(0);
    });

    it('should lose no request on SIGTERM to the arbiter', async () => {
      const result = await stopUnderLoad('SIGTERM', false);
      expect(result.lost, JSON.stringify(result)).to.equal(0);
    });
  });

  describe('replacing workers under keep-alive load', () => {
    let server: Server | undefined;

    afterEach(async () => {
      if (server !== undefined && alive(server.child.pid)) server.child.kill('SIGTERM');
      await reap(server);
      server = undefined;
    });

    it('should lose no request when workers are recycled (maxRequests)', async function () {
      this.timeout(60_000);
      server = await startServer({ LOAD_WORKERS: '2', LOAD_MAX_REQUESTS: '1000' });
      // 4 s of load (2500 requests and more on a quiet machine), and on
      // until workers were recycled however long a busy machine takes.
      const load = keepAliveLoad({ address: server.address, clients: CLIENTS, ms: 60_000 });
      try {
        await sleep(4000);
        await waitFor(
          () => load.result.ok > 2500 && load.result.closes > 0,
          45_000,
          'enough requests to recycle',
        );
      } finally {
        load.stop();
      }
      const result = await load.done;
      expect(result.ok, 'enough requests to recycle').to.be.greaterThan(2500);
      expect(result.lost + result.refused, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections told to close').to.be.greaterThan(0);
    });

    it('should lose no request on a rolling restart (SIGHUP)', async function () {
      this.timeout(60_000);
      server = await startServer({ LOAD_WORKERS: '2' });
      // Loads until the restarts closed connections (and a while after),
      // not for a fixed 4 s: a busy machine may take longer to start the
      // successors.
      const load = keepAliveLoad({ address: server.address, clients: CLIENTS, ms: 60_000 });
      try {
        await sleep(800);
        await waitFor(() => load.result.ok >= CLIENTS, 20_000, 'the load served');
        process.kill(server.child.pid!, 'SIGHUP');
        await sleep(1500);
        process.kill(server.child.pid!, 'SIGHUP');
        await waitFor(() => load.result.closes > 0, 30_000, 'connections told to close');
        const served = load.result.ok;
        await sleep(1700);
        await waitFor(() => load.result.ok >= served + CLIENTS, 20_000, 'the load served after');
      } finally {
        load.stop();
      }
      const result = await load.done;
      expect(result.lost + result.refused, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections told to close').to.be.greaterThan(0);
    });
  });

  describe('gracefulTimeout', () => {
    let server: Server | undefined;

    afterEach(async () => {
      await reap(server);
      server = undefined;
    });

    it('should give requests in flight gracefulTimeout, past exitTimeout', async () => {
      server = await startServer({
        RXPULSAR_EXIT_TIMEOUT: '1000',
        RXPULSAR_GRACEFUL_TIMEOUT: '6000',
      });
      const slow = get(server.address, '/slow?ms=2500');
      await server.began('/slow?ms=2500');
      server.child.kill('SIGTERM');
      expect(await slow).to.equal(200);
      expect(await server.exited).to.equal(0);
    });

    it('should cut what is left after gracefulTimeout, and log it', async () => {
      server = await startServer({
        RXPULSAR_LOG_LEVEL: 'warn',
        RXPULSAR_EXIT_TIMEOUT: '2000',
        RXPULSAR_GRACEFUL_TIMEOUT: '500',
      });
      const slow = get(server.address, '/slow?ms=20000').then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      await server.began('/slow?ms=20000');
      server.child.kill('SIGTERM');
      expect(await slow).to.equal('ECONNRESET');
      expect(await server.exited).to.equal(0);
      expect(server.stderr(), server.stderr()).to.match(
        /gracefulTimeout \(500 ms\) ran out: cut 1 request in flight: GET \/slow\?ms=20000/,
      );
    });
  });
});
