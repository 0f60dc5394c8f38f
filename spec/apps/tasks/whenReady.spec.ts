import { expect } from 'chai';
import type { Redis as RedisClient } from 'ioredis';
import { whenReady } from '../../../lib/apps/tasks/whenReady.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';

describe('whenReady()', function () {
  this.timeout(30_000);
  let redis: RedisServer;

  before(async () => {
    redis = await startRedis();
  });

  after(async () => {
    await redis?.close();
  });

  /** A connection with no offline queue, as the task clients make. */
  async function connect(port: number): Promise<RedisClient> {
    const { Redis } = await import('ioredis');
    const client = new Redis({
      host: '127.0.0.1',
      port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    return client;
  }

  it('should fire once a new connection takes commands, and at once when it already does', async () => {
    const client = await connect(redis.port);
    try {
      await whenReady(client);
      expect(await client.ping()).to.equal('PONG');
      await whenReady(client);
    } finally {
      client.disconnect();
    }
  });

  it('should fail with the connection error when nothing listens there', async () => {
    const { createServer } = await import('node:net');
    // A port just freed: nothing listens on it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = await connect(port);
    try {
      const err = await whenReady(client).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).to.match(/ECONNREFUSED|closed/);
    } finally {
      client.disconnect();
    }
  });
});
