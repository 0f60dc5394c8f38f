import { expect } from 'chai';
import { RedisTaskClient } from '../../../lib/apps/tasks/RedisTaskClient.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';

describe('RedisTaskClient', () => {
  describe('stop()', function () {
    this.timeout(30_000);
    let redis: RedisServer;

    beforeEach(async () => {
      redis = await startRedis();
    });

    afterEach(async () => {
      await redis.close();
    });

    /** A started client that reads the queue's events (a blocking connection). */
    async function listening(): Promise<RedisTaskClient> {
      const client = new RedisTaskClient(redis.url, { queue: 'spec-stop' });
      await client.start();
      const sub = client.task$.subscribe();
      const task = await client.queueTask('any', [1]);
      expect(task.state).to.equal('PENDING');
      sub.unsubscribe();
      return client;
    }

    // BullMQ's own close waited for ever for a connection waiting to reconnect.
    it('should return while Redis restarts and its connections wait to reconnect', async () => {
      const client = await listening();
      await redis.stop();
      await redis.restart();
      await client.stop();
    });

    it('should return with Redis down, and leave no rejection behind', async () => {
      const client = await listening();
      const unhandled: unknown[] = [];
      const record = (err: unknown): number => unhandled.push(err);
      process.on('unhandledRejection', record);
      try {
        await redis.stop();
        await client.stop();
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(unhandled).to.deep.equal([]);
      } finally {
        process.off('unhandledRejection', record);
      }
    });
  });
});
