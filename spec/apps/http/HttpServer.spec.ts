import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { arbiter, rpcProxy, type Arbiter } from '../../../lib/index.js';
import { app as rpcApp } from '../../fixtures/apps/rpc.js';
import { app as expressApp } from '../../fixtures/apps/express.js';
import { app, recycled } from '../../fixtures/apps/hello.js';
import { within } from '../../support/waiting.js';

interface Reply {
  status: number;
  body: string;
  pid: string | undefined;
}

function get(address: string, path: string, agent?: Agent): Promise<Reply> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const pid = res.headers['x-pid'];
        resolve({
          status: res.statusCode ?? 0,
          body,
          pid: typeof pid === 'string' ? pid : undefined,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function post(address: string, path: string, json: unknown): Promise<Reply> {
  const [host, port] = address.split(':') as [string, string];
  const data = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, pid: undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('HttpServer', () => {
  let a: Arbiter;

  before(() => {
    a = arbiter({ signals: false });
  });

  after(async () => {
    await a.stop();
  });

  describe('a plain request listener', () => {
    before(async () => {
      await app.start();
    });

    after(async () => {
      await app.stop();
    });

    it('should serve from every worker process, sharing one socket', async () => {
      expect(app.address).to.match(/^127\.0\.0\.1:\d+$/);
      const pids = new Set<string | undefined>();
      for (let i = 0; i < 20; i++) {
        const reply = await get(app.address!, '/');
        expect(reply).to.include({ status: 200, body: 'Hello World!' });
        pids.add(reply.pid);
      }
      expect(pids.size).to.equal(2);
      expect(pids).not.to.include(String(process.pid));
    });

    it('should keep connections alive', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const replies = [];
        for (let i = 0; i < 5; i++) replies.push(await get(app.address!, '/', agent));
        expect(new Set(replies.map((r) => r.pid)).size).to.equal(1);
      } finally {
        agent.destroy();
      }
    });

    it('should count HTTP requests in the workers info', async () => {
      await get(app.address!, '/');
      const served = await Promise.all(
        app.monitor!.managedActors.map(async (p) => (await p.send('info')) as { requests: number }),
      );
      expect(served.reduce((sum, info) => sum + info.requests, 0)).to.be.greaterThan(20);
    });
  });

  describe('graceful stop', () => {
    it('should answer the requests in flight before the workers exit', async () => {
      const again = new (app.constructor as typeof import('../../../lib/index.js').HttpServer)({
        name: 'spec-hello',
        callable: (_req, res) => res.end(),
        workers: 2,
        bind: '127.0.0.1:0',
        module: new URL('../../fixtures/apps/hello.js', import.meta.url),
        argv: [],
        exitOnConfigError: false,
      });
      await again.start();
      const slow = Array.from({ length: 4 }, () => get(again.address!, '/slow?ms=400'));
      // And one idle keep-alive connection, which the stop must close (not
      // wait for its 5 s keep-alive timeout).
      const [host, port] = again.address!.split(':') as [string, string];
      const idle = connect(Number(port), host);
      idle.setEncoding('utf8');
      const idleClosed = new Promise((resolve) => idle.once('close', resolve));
      await new Promise<void>((resolve) => {
        idle.once('data', () => resolve());
        idle.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopped = again.stop();
      const replies = await Promise.all(slow);
      await stopped;
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
      await within(idleClosed, 3000, 'the idle keep-alive connection was not closed');
    });
  });

  describe('maxRequests', () => {
    it('should replace workers without refusing a connection', async () => {
      await recycled.start();
      const pids = new Set<string | undefined>();
      try {
        // Until two generations of workers served (bounded): none refused.
        for (let i = 0; i < 2000 && pids.size < 4; i++) {
          const reply = await get(recycled.address!, '/');
          expect(reply.status).to.equal(200);
          pids.add(reply.pid);
        }
      } finally {
        await recycled.stop();
      }
      expect(pids.size).to.be.at.least(4);
    });
  });

  describe('a JSON-RPC handler', () => {
    it('should answer calls through a client proxy, from the workers', async () => {
      await rpcApp.start();
      const proxy = rpcProxy<{ add(a: number, b: number): number; pid(): number }>(
        `http://${rpcApp.address!}`,
      );
      try {
        expect(await proxy.add(1, 2)).to.equal(3);
        expect(await proxy.pid()).not.to.equal(process.pid);
        expect(await proxy.$call('ping')).to.equal('pong');
      } finally {
        proxy.$close();
        await rpcApp.stop();
      }
    });
  });

  describe('an Express app', () => {
    before(async () => {
      await expressApp.start();
    });

    after(async () => {
      await expressApp.stop();
    });

    it('should route and parse JSON as Express does', async () => {
      const hello = await get(expressApp.address!, '/hello/bob');
      expect(hello.status).to.equal(200);
      expect(JSON.parse(hello.body)).to.include({ hello: 'bob' });
      const sum = await post(expressApp.address!, '/sum', { numbers: [1, 2, 3] });
      expect(JSON.parse(sum.body)).to.deep.equal({ sum: 6 });
      expect((await get(expressApp.address!, '/nowhere')).status).to.equal(404);
    });
  });
});
