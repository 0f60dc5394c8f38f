import { expect } from 'chai';
import { lineLoad } from '../../support/lineLoad.js';
import { reap, startServer, type Server } from '../../support/loadServer.js';
import { alive } from '../../support/waiting.js';

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
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(load.result.ok, 'served before the signal').to.be.greaterThan(0);
      process.kill(-server.child.pid!, 'SIGINT');
      expect(await server.exited, 'exit code').to.equal(0);
      load.stop();
      const result = await load.done;
      expect(result.lost, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections drained').to.be.greaterThan(0);
    });

    it('should lose no request on a rolling restart (SIGHUP)', async () => {
      server = await startServer({ LOAD_KIND: 'socket', LOAD_WORKERS: '2' });
      const load = lineLoad({ address: server.address, clients: CLIENTS, ms: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      process.kill(server.child.pid!, 'SIGHUP');
      const result = await load.done;
      expect(result.lost + result.refused, JSON.stringify(result)).to.equal(0);
      expect(result.closes, 'connections drained').to.be.greaterThan(0);
    });
  });
});
