import { expect } from 'chai';
import { JsonRpc, type JsonRpcError } from '../../../lib/index.js';
import { sendWhole } from '../../support/sendWhole.js';
import { post, pushBody, send, startServer, type TestServer } from '../../support/http.js';
import { Service } from '../../fixtures/rpc/Service.js';

const BUILTINS = ['echo', 'functions_list', 'ping', 'server_info'];

const OWN = ['add', 'big', 'broke', 'describe', 'double', 'fail', 'greet', 'kind', 'nothing'];
const SERVICE = [...OWN, 'notify', 'self', 'strict'];

/** A request object. */
const call = (method: string, params?: unknown, id: unknown = 1): Record<string, unknown> => ({
  jsonrpc: '2.0',
  method,
  ...(params !== undefined && { params }),
  id,
});

/** A notification object. */
const note = (method: string, params?: unknown): Record<string, unknown> => ({
  jsonrpc: '2.0',
  method,
  ...(params !== undefined && { params }),
});

describe('JsonRpc', () => {
  let service: Service;
  let rpc: TestServer;
  let small: TestServer;

  before(async () => {
    service = new Service();
    const info = (): Record<string, unknown> => ({ actor: 'worker-1' });
    rpc = await startServer(new JsonRpc(service, { name: 'spec', info }).listener);
    small = await startServer(new JsonRpc({ ok: () => 'ok' }, { maxBodySize: 1024 }).handler());
  });

  after(async () => {
    await rpc.close();
    await small.close();
  });

  describe('constructor', () => {
    it('should serve the functions of a plain object, bound to it', async () => {
      const source = {
        base: 10,
        add(a: number, b: number) {
          return this.base + a + b;
        },
      };
      const server = new JsonRpc(source);
      expect(server.methodNames).to.deep.equal(['add', ...BUILTINS]);
      expect(await server.call('add', [1, 2])).to.equal(13);
    });

    it('should serve public methods of an instance and its prototype chain, not the constructor nor _names', () => {
      expect(new JsonRpc(new Service()).methodNames).to.deep.equal(
        [...SERVICE, ...BUILTINS].sort(),
      );
    });

    it('should take the lowest definition of a name in the chain, bound to the instance', async () => {
      const server = new JsonRpc(new Service());
      expect(await server.call('kind')).to.equal('service');
      expect(await server.call('greet', ['you'])).to.equal('hello you');
      expect(await server.call('self')).to.equal(true);
    });

    it('should let a method replace a built-in, and serve no built-ins with builtins: false', async () => {
      expect(await new JsonRpc({ ping: () => 'PONG' }).call('ping')).to.equal('PONG');
      expect(new JsonRpc({ add: () => 0 }, { builtins: false }).methodNames).to.deep.equal(['add']);
    });

    it('should default maxBodySize to 1 MiB', () => {
      expect(new JsonRpc({}).maxBodySize).to.equal(1024 * 1024);
    });
  });

  describe('listener', () => {
    describe('requests', () => {
      it('should spread positional params and answer application/json', async () => {
        const res = await post(rpc.port, call('add', [1, 2], 7));
        expect(res.status).to.equal(200);
        expect(res.headers['content-type']).to.equal('application/json');
        expect(res.json()).to.deep.equal({ jsonrpc: '2.0', result: 3, id: 7 });
      });

      it('should pass named params as the single argument', async () => {
        const res = await post(rpc.port, call('describe', { name: 'Ada', age: 36 }, 'a'));
        expect(res.json()).to.deep.equal({ jsonrpc: '2.0', result: 'Ada is 36', id: 'a' });
      });

      it('should call without arguments when params are absent, and answer null for undefined', async () => {
        expect((await post(rpc.port, call('kind'))).json()).to.include({ result: 'service' });
        expect((await post(rpc.port, call('nothing'))).json()).to.deep.equal({
          jsonrpc: '2.0',
          result: null,
          id: 1,
        });
      });

      it('should await async methods', async () => {
        expect((await post(rpc.port, call('double', [21]))).json()).to.include({ result: 42 });
      });

      it('should answer a request whose id is null', async () => {
        expect((await post(rpc.port, call('add', [2, 2], null))).json()).to.deep.equal({
          jsonrpc: '2.0',
          result: 4,
          id: null,
        });
      });
    });

    describe('errors', () => {
      const errorOf = async (body: unknown): Promise<unknown> => {
        const res = await post(rpc.port, body);
        expect(res.status).to.equal(200);
        return res.json();
      };

      it('should answer -32700 Parse error to a body that is not JSON', async () => {
        const reply = (await errorOf('{"jsonrpc": "2.0", "method"')) as { error: unknown };
        expect(reply).to.deep.include({ jsonrpc: '2.0', id: null });
        expect(reply.error).to.include({ code: -32700 });
        expect(await errorOf('')).to.have.nested.property('error.code', -32700);
      });

      it('should answer -32600 Invalid Request to a request that is not an object', async () => {
        for (const body of [42, '"text"', null]) {
          expect(await errorOf(body === null ? 'null' : body)).to.have.nested.property(
            'error.code',
            -32600,
          );
        }
      });

      it('should answer -32600 to a wrong jsonrpc version, keeping a valid id', async () => {
        const reply = await errorOf({ jsonrpc: '1.0', method: 'add', params: [1, 2], id: 3 });
        expect(reply).to.deep.include({ id: 3 }).and.nested.property('error.code', -32600);
        expect(await errorOf({ method: 'add', id: 4 })).to.have.nested.property(
          'error.code',
          -32600,
        );
      });

      it('should answer -32600 to a method that is not a string', async () => {
        const reply = await errorOf({ jsonrpc: '2.0', method: 1, params: 'bar' });
        expect(reply).to.deep.include({ id: null }).and.nested.property('error.code', -32600);
      });

      it('should answer -32600 with a null id to an id of the wrong type', async () => {
        const reply = await errorOf({
          jsonrpc: '2.0',
          method: 'add',
          params: [1, 2],
          id: { a: 1 },
        });
        expect(reply).to.deep.include({ id: null }).and.nested.property('error.code', -32600);
      });

      it('should answer -32601 Method not found, keeping the id', async () => {
        expect(await errorOf(call('nope', [], 'x'))).to.deep.equal({
          jsonrpc: '2.0',
          error: { code: -32601, message: 'Method not found: nope' },
          id: 'x',
        });
        expect(await errorOf(call('_secret'))).to.have.nested.property('error.code', -32601);
        expect(await errorOf(call('constructor'))).to.have.nested.property('error.code', -32601);
      });

      it('should answer -32602 Invalid params to params that are neither an array nor an object', async () => {
        for (const params of ['1, 2', 3, true, null]) {
          expect(
            await errorOf({ jsonrpc: '2.0', method: 'add', params, id: 1 }),
          ).to.have.nested.property('error.code', -32602);
        }
      });

      it('should answer -32602 when the method throws it', async () => {
        expect(await errorOf(call('strict', ['one']))).to.deep.equal({
          jsonrpc: '2.0',
          error: { code: -32602, message: 'Invalid params: a number expected' },
          id: 1,
        });
      });

      it('should answer -32603 with the message, never the stack, when a method throws an Error', async () => {
        const res = await post(rpc.port, call('fail'));
        expect(res.json()).to.deep.equal({
          jsonrpc: '2.0',
          error: { code: -32603, message: 'kaboom' },
          id: 1,
        });
        expect(res.text).to.not.match(/stack|at Service|\.js:\d+/);
      });

      it('should answer -32603 to a result JSON cannot hold', async () => {
        expect(await errorOf(call('big'))).to.have.nested.property('error.code', -32603);
      });

      it('should answer an application error with its code, message and data', async () => {
        expect(await errorOf(call('broke'))).to.deep.equal({
          jsonrpc: '2.0',
          error: { code: 4001, message: 'Not enough credit', data: { balance: 3 } },
          id: 1,
        });
      });
    });

    describe('notifications', () => {
      it('should run a notification and answer 204 with no body', async () => {
        const res = await post(rpc.port, note('notify', ['first']));
        expect(res.status).to.equal(204);
        expect(res.text).to.equal('');
        expect(service.notified).to.deep.equal(['first']);
      });

      it('should answer nothing to a notification that fails', async () => {
        for (const body of [note('nope'), note('fail'), note('add', 'bad')]) {
          const res = await post(rpc.port, body);
          expect(res.status).to.equal(204);
          expect(res.text).to.equal('');
        }
      });
    });

    describe('batches', () => {
      it('should answer a batch with an array in order, without notifications', async () => {
        const res = await post(rpc.port, [
          call('add', [1, 2], 1),
          note('notify', ['batched']),
          call('double', [4], 2),
          { foo: 'boo' },
          call('nope', [], 3),
          call('broke', [], 4),
          7,
          call('describe', { name: 'Bo', age: 5 }, 5),
        ]);
        expect(res.status).to.equal(200);
        const replies = res.json() as { id: unknown; result?: unknown; error?: { code: number } }[];
        expect(replies.map((r) => [r.id, r.result ?? r.error?.code])).to.deep.equal([
          [1, 3],
          [2, 8],
          [null, -32600],
          [3, -32601],
          [4, 4001],
          [null, -32600],
          [5, 'Bo is 5'],
        ]);
        expect(service.notified).to.include('batched');
      });

      it('should answer 204 with no body to a batch of notifications only', async () => {
        const res = await post(rpc.port, [note('notify', ['n1']), note('notify', ['n2'])]);
        expect(res.status).to.equal(204);
        expect(res.text).to.equal('');
        expect(service.notified).to.include.members(['n1', 'n2']);
      });

      it('should answer a single -32600 Invalid Request to an empty batch', async () => {
        const reply = (await post(rpc.port, [])).json();
        expect(reply).to.deep.include({ jsonrpc: '2.0', id: null });
        expect(reply).to.have.nested.property('error.code', -32600);
      });
    });

    describe('HTTP', () => {
      it('should answer 405 with Allow: POST to any other method', async () => {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const res = await send(rpc.port, { method });
          expect(res.status).to.equal(405);
          expect(res.headers['allow']).to.equal('POST');
        }
      });

      it('should answer 413 at once to a Content-Length over the default limit', async () => {
        const res = await pushBody(rpc.port, { 'Content-Length': 1024 * 1024 + 1 });
        expect(res.status).to.equal(413);
        expect(res.headers['connection']).to.equal('close');
        expect(JSON.parse(res.text)).to.have.nested.property('error.code', -32600);
        expect(res.sent).to.be.below(1024 * 1024);
      });

      it('should answer 413 to a streamed body once it passes maxBodySize, without reading the rest', async () => {
        const res = await pushBody(small.port, { 'Content-Type': 'application/json' });
        expect(res.status).to.equal(413);
        expect(res.headers['connection']).to.equal('close');
        expect(res.sent).to.be.below(1024 * 1024);
      });

      it('should let a client that sends a whole body over the limit read the 413, without EPIPE', async () => {
        // 8 MB at once, more than the socket buffers hold: closing under
        // the client while it writes resets the connection (EPIPE).
        const body = Buffer.alloc(8_000_000, 'x');
        for (const [port, headers] of [
          [rpc.port, { 'Content-Length': body.length }],
          [small.port, { 'Transfer-Encoding': 'chunked' }],
        ] as const) {
          const res = await sendWhole(port, body, headers);
          expect(res.error, 'an error on the request').to.equal(undefined);
          expect(res.status).to.equal(413);
          expect(JSON.parse(res.text)).to.have.nested.property('error.code', -32600);
        }
      });

      it('should accept a body of exactly maxBodySize', async () => {
        const body = JSON.stringify(call('ok'));
        const res = await post(small.port, body.padEnd(1024, ' '));
        expect(res.json()).to.include({ result: 'ok' });
      });
    });
  });

  describe('built-ins', () => {
    it('should answer ping with pong', async () => {
      expect((await post(rpc.port, call('ping'))).json()).to.include({ result: 'pong' });
    });

    it('should echo the first positional param, or the named params', async () => {
      expect((await post(rpc.port, call('echo', ['hi', 'there']))).json()).to.include({
        result: 'hi',
      });
      expect((await post(rpc.port, call('echo', { a: [1] }))).json()).to.deep.include({
        result: { a: [1] },
      });
    });

    it('should describe the server with server_info, merged with info()', async () => {
      const { result } = (await post(rpc.port, call('server_info'))).json() as {
        result: Record<string, unknown>;
      };
      expect(result).to.include({
        name: 'spec',
        pid: process.pid,
        methods: SERVICE.length + BUILTINS.length,
        node: process.version,
        actor: 'worker-1',
      });
      expect(result['uptime']).to.be.a('number');
    });

    it('should list the sorted method names with functions_list', async () => {
      expect((await post(rpc.port, call('functions_list'))).json()).to.deep.include({
        result: [...SERVICE, ...BUILTINS].sort(),
      });
    });
  });

  describe('dispatch()', () => {
    it('should answer parsed messages without a transport', async () => {
      const server = new JsonRpc({ add: (a: number, b: number) => a + b });
      expect(await server.dispatch(call('add', [1, 2]))).to.deep.equal({
        jsonrpc: '2.0',
        result: 3,
        id: 1,
      });
      expect(await server.dispatch(note('add', [1, 2]))).to.equal(undefined);
      expect(await server.dispatch([note('ping')])).to.equal(undefined);
    });
  });

  describe('call()', () => {
    it('should throw a JsonRpcError for an unknown method or bad params', async () => {
      const server = new JsonRpc({});
      const codes: number[] = [];
      for (const attempt of [server.call('nope'), server.call('ping', 'x')]) {
        await attempt.catch((err: JsonRpcError) => codes.push(err.code));
      }
      expect(codes).to.deep.equal([-32601, -32602]);
    });
  });
});
