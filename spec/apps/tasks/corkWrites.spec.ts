import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { corkWrites, MAX_CORK_MS } from '../../../lib/apps/tasks/corkWrites.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';

describe('corkWrites', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let client: Redis | undefined;

  before(async () => {
    redis = await startRedis();
  });

  afterEach(() => {
    client?.disconnect();
    client = undefined;
  });

  after(async () => {
    await redis?.close();
  });

  /** A client whose socket counts its system-call-level writes (one `_writev` or `_write` each). */
  async function counted(): Promise<{ client: Redis; writes: () => number }> {
    const { Redis: IORedis } = await import('ioredis');
    const c = new IORedis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
    client = c;
    await new Promise((resolve) => c.once('ready', resolve));
    const socket = c.stream as unknown as Record<'_write' | '_writev', (...a: unknown[]) => void>;
    let writes = 0;
    for (const name of ['_write', '_writev'] as const) {
      const original = socket[name];
      socket[name] = function (this: unknown, ...args: unknown[]) {
        writes++;
        original.apply(this, args);
      };
    }
    return { client: c, writes: () => writes };
  }

  describe('corkWrites()', () => {
    it('should send the commands of one turn in one write, each with its own reply', async () => {
      const { client: c, writes } = await counted();
      corkWrites(c);
      const replies = await Promise.all([
        c.set('spec-cork-a', '1'),
        c.incr('spec-cork-n'),
        c.get('spec-cork-a'),
        c.incr('spec-cork-n'),
        c.hget('spec-cork-a', 'x').catch((err: Error) => err.message), // a wrong type: its own error
        c.incr('spec-cork-n'),
      ]);
      expect(replies.slice(0, 4)).to.deep.equal(['OK', 1, '1', 2]);
      expect(String(replies[4])).to.match(/WRONGTYPE/);
      expect(replies[5]).to.equal(3);
      expect(writes()).to.equal(1);
      expect(c.stream.writableCorked).to.equal(0);
    });

    it('should write once a turn, and leave a pipeline to itself', async () => {
      const { client: c, writes } = await counted();
      corkWrites(c);
      expect(await c.incr('spec-cork-turns')).to.equal(1);
      expect(await c.incr('spec-cork-turns')).to.equal(2);
      expect(writes()).to.equal(2);
      const results = await c.pipeline().incr('spec-cork-turns').get('spec-cork-turns').exec();
      expect(results).to.deep.equal([
        [null, 3],
        [null, '3'],
      ]);
      expect(c.stream.writableCorked).to.equal(0);
    });

    it('should send what the turn holds at flush(), and the rest at its end', async () => {
      const { client: c, writes } = await counted();
      const corked = corkWrites(c);
      const first = [c.incr('spec-cork-flush'), c.incr('spec-cork-flush')];
      expect(writes()).to.equal(0);
      corked.flush(); // as before a job that may hold the CPU
      expect(writes()).to.equal(1);
      corked.flush(); // nothing held: nothing sent
      expect(writes()).to.equal(1);
      const then = [c.incr('spec-cork-flush'), c.get('spec-cork-flush')];
      expect(await Promise.all([...first, ...then])).to.deep.equal([1, 2, 3, '3']);
      expect(writes()).to.equal(2);
      expect(c.stream.writableCorked).to.equal(0);
    });

    it('should send at once a command of a turn that lasts, with those held before it', async () => {
      const { client: c, writes } = await counted();
      corkWrites(c);
      const replies = [c.incr('spec-cork-long'), c.incr('spec-cork-long')];
      expect(writes()).to.equal(0);
      // A job that yields to microtasks only: the turn does not end.
      const t = performance.now();
      while (performance.now() - t <= MAX_CORK_MS) await Promise.resolve();
      replies.push(c.incr('spec-cork-long'));
      expect(writes()).to.equal(1);
      expect(c.stream.writableCorked).to.equal(0);
      expect(await Promise.all(replies)).to.deep.equal([1, 2, 3]);
    });

    it('should let commands given before the connection is ready wait for it, uncorked', async () => {
      const { Redis: IORedis } = await import('ioredis');
      const c = new IORedis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
      client = c;
      corkWrites(c);
      const replies = await Promise.all([c.set('spec-cork-lazy', 'x'), c.get('spec-cork-lazy')]);
      expect(replies).to.deep.equal(['OK', 'x']);
      expect(c.stream.writableCorked).to.equal(0);
    });
  });
});
