import { connect } from 'node:net';
import { expect } from 'chai';
import { lineLoad } from '../../support/lineLoad.js';
import { reap, startServer, type Server } from '../../support/loadServer.js';
import { alive, sleep, waitFor, within } from '../../support/waiting.js';

const CLIENTS = 20;

describe('SocketServer', () => {
  describe('drain under load (protocols with drain())', () => {
    let server: Server | undefined;

    afterEach(async () => {
      if (server !== undefined && alive(server.child.pid)) server.child.kill('SIGTERM');
      await reap(server);
      server = undefined;
    });

    it('should lose no request on SIGINT to the process group (Ctrl-C)', async () => {
      server = await startServer({ LOAD_KIND: 'socket', LOAD_WORKERS: '2' });
      const load = lineLoad({
        address: server.address,
        clients: CLIENTS,
        ms: 30_000,
        stopOnRefused: true,
      });
      // A while under load, and every client served at least once on a
      // busy machine too (a fixed wait alone may see none served).
      await sleep(1000);
      await waitFor(() => load.result.ok >= CLIENTS, 20_000, 'the load served');
      expect(load.result.ok, 'served before the signal').to.be.greaterThan(0);
      process.kill(-server.child.pid!, 'SIGINT');
      expect(await server.exited, 'exit code').to.equal(0);
      load.stop();
      const result = await load.done;
      expect(result.lost, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections drained').to.be.greaterThan(0);
    });

    it('should lose no request on a rolling restart (SIGHUP)', async function () {
      this.timeout(60_000);
      server = await startServer({ LOAD_KIND: 'socket', LOAD_WORKERS: '2' });
      // Loads until the restart drained connections (and a while after),
      // not for a fixed 3 s: a busy machine may take longer to start the
      // successors.
      const load = lineLoad({ address: server.address, clients: CLIENTS, ms: 60_000 });
      try {
        await sleep(1000);
        await waitFor(() => load.result.ok >= CLIENTS, 20_000, 'the load served');
        process.kill(server.child.pid!, 'SIGHUP');
        await sleep(2000);
        await waitFor(() => load.result.closes > 0, 30_000, 'connections drained');
        const served = load.result.ok;
        await waitFor(() => load.result.ok >= served + CLIENTS, 20_000, 'the load served after');
      } finally {
        load.stop();
      }
      const result = await load.done;
      expect(result.lost + result.refused, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections drained').to.be.greaterThan(0);
    });
  });

  describe('drain of a protocol without drain()', () => {
    let server: Server | undefined;

    afterEach(async () => {
      await reap(server);
      server = undefined;
    });

    it('should end its connections at once, not after gracefulTimeout', async function () {
      this.timeout(40_000);
      server = await startServer({ LOAD_KIND: 'socket-plain', LOAD_WORKERS: '1' });
      const [host, port] = server.address.split(':') as [string, string];
      const socket = connect(Number(port), host);
      socket.setEncoding('utf8');
      const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('hi\n');
      });
      server.child.kill('SIGTERM');
      // Well under gracefulTimeout (30 s by default), with room for a busy machine.
      await within(ended, 10_000, 'the connection was not ended');
      socket.destroy();
      expect(await within(server.exited, 15_000, 'the server did not exit')).to.equal(0);
    });
  });
});
