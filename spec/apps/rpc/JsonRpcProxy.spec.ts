import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { JsonRpc, JsonRpcError, rpcProxy, type RpcProxy } from '../../../lib/index.js';
import {
  ImproperlyConfiguredError,
  InvalidStateError,
  ProtocolError,
  TimeoutError,
} from '../../../lib/errors.js';
import { startServer, type TestServer } from '../../support/http.js';
import { waitFor, rejection } from '../../support/waiting.js';

class Remote {
  readonly seen: unknown[] = [];

  add(a: number, b: number): number {
    return a + b;
  }

  async later(ms: number, value: unknown): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return value;
  }

  area(box: { width: number; height: number }): number {
    return box.width * box.height;
  }

  then(): string {
    return 'then, called on purpose';
  }

  broke(): never {
    throw new JsonRpcError(4001, 'Not enough credit', { balance: 3 });
  }

  fail(): never {
    throw new Error('kaboom');
  }

  record(value: unknown): void {
    this.seen.push(value);
  }
}

/** The rejection of a promise that must reject. */
const sockets = (): number =>
  process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap').length;

describe('rpcProxy', () => {
  let remote: Remote;
  let server: TestServer;
  let proxies: RpcProxy<unknown>[] = [];
  let proxy: RpcProxy<Remote>;

  /** A proxy closed after the test. */
  const open = <T = Remote>(url: string, options?: Parameters<typeof rpcProxy>[1]): RpcProxy<T> => {
    const made = rpcProxy<T>(url, options);
    proxies.push(made);
    return made;
  };

  before(async () => {
    remote = new Remote();
    server = await startServer(new JsonRpc(remote).listener);
  });

  beforeEach(() => {
    proxy = open(server.url);
  });

  afterEach(() => {
    for (const made of proxies) made.$close();
    proxies = [];
  });

  after(async () => {
    await server.close();
  });

  describe('remote methods', () => {
    it('should call a method with positional params', async () => {
      expect(await proxy.add(1, 2)).to.equal(3);
    });

    it('should resolve with what an async method resolves', async () => {
      expect(await proxy.later(5, { deep: ['value'] })).to.deep.equal({ deep: ['value'] });
    });

    it('should reject with a JsonRpcError carrying code, message and data', async () => {
      const err = await rejection(proxy.broke());
      expect(err).to.be.instanceOf(JsonRpcError);
      expect(err).to.include({ code: 4001, message: 'Not enough credit' });
      expect((err as JsonRpcError).data).to.deep.equal({ balance: 3 });
    });

    it('should reject with -32603 and the message when the method throws an Error', async () => {
      expect(await rejection(proxy.fail())).to.include({ code: -32603, message: 'kaboom' });
    });

    it('should not look like a promise: then is not a remote call', async () => {
      expect((proxy as unknown as Record<string, unknown>)['then']).to.equal(undefined);
      expect(await Promise.resolve(proxy)).to.equal(proxy);
    });

    it('should reuse one keep-alive connection for successive calls', async () => {
      let connections = 0;
      const count = (): void => {
        connections += 1;
      };
      server.server.on('connection', count);
      try {
        for (let i = 0; i < 3; i += 1) expect(await proxy.add(i, i)).to.equal(2 * i);
      } finally {
        server.server.off('connection', count);
      }
      expect(connections).to.equal(1);
    });
  });

  describe('$call()', () => {
    it('should call by name with named params', async () => {
      expect(await proxy.$call('area', { width: 3, height: 4 })).to.equal(12);
    });

    it('should reach a method whose name the proxy reserves', async () => {
      expect(await proxy.$call('then')).to.equal('then, called on purpose');
    });

    it('should reject with -32601 for an unknown method', async () => {
      expect(await rejection(proxy.$call('nope'))).to.include({ code: -32601 });
    });

    it('should serve an untyped proxy', async () => {
      const untyped = open<Record<string, (...params: unknown[]) => unknown>>(server.url);
      expect(await untyped.$call('add', [2, 3])).to.equal(5);
      expect(await untyped['add']?.(2, 3)).to.equal(5);
    });
  });

  describe('$notify()', () => {
    it('should send a notification the server runs', async () => {
      expect(await proxy.$notify('record', ['noted'])).to.equal(undefined);
      expect(remote.seen).to.include('noted');
    });
  });

  describe('$batch()', () => {
    it('should settle every call of a batch, in order', async () => {
      const results = await proxy.$batch([
        { method: 'add', params: [1, 2] },
        { method: 'record', params: ['in batch'], notify: true },
        { method: 'broke' },
        { method: 'nope' },
        { method: 'area', params: { width: 2, height: 5 } },
      ]);
      expect(results.map((r) => r.status)).to.deep.equal([
        'fulfilled',
        'fulfilled',
        'rejected',
        'rejected',
        'fulfilled',
      ]);
      expect(results[0]).to.deep.equal({ status: 'fulfilled', value: 3 });
      expect(results[4]).to.deep.equal({ status: 'fulfilled', value: 10 });
      const reasons = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      expect(reasons[0]).to.be.instanceOf(JsonRpcError).and.include({ code: 4001 });
      expect(reasons[1]).to.include({ code: -32601 });
      expect(remote.seen).to.include('in batch');
    });

    it('should answer an empty batch with an empty array, sending nothing', async () => {
      expect(await proxy.$batch([])).to.deep.equal([]);
    });
  });

  describe('$close()', () => {
    it('should leave no socket open, and reject later calls', async () => {
      const before = sockets();
      const closing = open(server.url);
      expect(await closing.add(1, 1)).to.equal(2);
      expect(sockets()).to.be.above(before);
      closing.$close();
      await waitFor(() => sockets() === before, 10_000, 'the sockets closed');
      expect(await rejection(closing.add(1, 1))).to.be.instanceOf(InvalidStateError);
    });
  });

  describe('failures', () => {
    it('should refuse a URL that is not http:', () => {
      expect(() => rpcProxy('https://127.0.0.1:1')).to.throw(ImproperlyConfiguredError);
    });

    it('should reject with TimeoutError when the answer takes longer than timeout', async () => {
      const impatient = open(server.url, { timeout: 30 });
      expect(await rejection(impatient.later(300, 'late'))).to.be.instanceOf(TimeoutError);
    });

    it("should reject with Node's error when nothing listens", async () => {
      const closed = await startServer(() => undefined);
      await closed.close();
      const err = await rejection(open(closed.url).add(1, 2));
      expect(err).to.include({ code: 'ECONNREFUSED' });
    });

    it('should reject with the JsonRpcError of an HTTP error (413)', async () => {
      const small = await startServer(new JsonRpc(new Remote(), { maxBodySize: 64 }).listener);
      try {
        const err = await rejection(open<Remote>(small.url).later(1, 'x'.repeat(100)));
        expect(err).to.be.instanceOf(JsonRpcError).and.include({ code: -32600 });
        expect(err.message).to.match(/Payload Too Large/);
      } finally {
        await small.close();
      }
    });

    it('should reject with ProtocolError when the server does not speak JSON-RPC', async () => {
      const other = createServer((_req, res) => res.end('hello'));
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = other.address() as AddressInfo;
        const err = await rejection(open(`http://127.0.0.1:${port}`).add(1, 2));
        expect(err).to.be.instanceOf(ProtocolError);
      } finally {
        other.closeAllConnections();
        await new Promise((resolve) => other.close(resolve));
      }
    });
  });
});
