import { request } from 'node:http';
import { expect } from 'chai';
import { reap, startServer, type Server } from '../../support/loadServer.js';
import { sendWhole } from '../../support/sendWhole.js';

/** One GET on a fresh connection: status and the worker's pid. */
function get(address: string, path: string): Promise<{ status: number; pid: unknown }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, pid: res.headers['x-pid'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HttpServer', () => {
  describe('a handler that fails', () => {
    let server: Server | undefined;

    before(async () => {
      server = await startServer({ LOAD_WORKERS: '1', RXPULSAR_LOG_LEVEL: 'error' });
    });

    after(async () => {
      if (server !== undefined) server.child.kill('SIGTERM');
      await reap(server);
    });

    it('should answer 500 when it throws, log the request line, and keep the worker', async () => {
      const { pid } = await get(server!.address, '/');
      expect((await get(server!.address, '/throw')).status).to.equal(500);
      expect(await get(server!.address, '/')).to.deep.equal({ status: 200, pid });
      expect(server!.stderr()).to.match(/GET \/throw .*thrown by the handler/);
    });

    it('should answer 500 when it returns a rejected promise', async () => {
      const { pid } = await get(server!.address, '/');
      expect((await get(server!.address, '/reject')).status).to.equal(500);
      expect(await get(server!.address, '/')).to.deep.equal({ status: 200, pid });
      expect(server!.stderr()).to.match(/GET \/reject .*rejected by the handler/);
    });
  });

  describe('an answer before the body is read', () => {
    let server: Server | undefined;

    before(async () => {
      server = await startServer({ LOAD_WORKERS: '1' });
    });

    after(async () => {
      if (server !== undefined) server.child.kill('SIGTERM');
      await reap(server);
    });

    it('should reach a client still sending its body, without EPIPE', async () => {
      const [, port] = server!.address.split(':') as [string, string];
      const body = Buffer.alloc(8_000_000, 'x');
      for (let i = 0; i < 3; i++) {
        const res = await sendWhole(
          Number(port),
          body,
          { 'Content-Length': body.length },
          '/early',
        );
        expect(res).to.deep.equal({ status: 413, text: 'too large', error: undefined });
      }
    });
  });
});
