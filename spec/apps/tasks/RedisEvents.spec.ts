/**
 * The reader of a Redis queue's events: made by `watch()`, told of each
 * change of a job, kept while someone listens and closed once nobody did
 * for a while; nothing read after `stop()`. A real redis-server.
 */
import { expect } from 'chai';
import { Queue } from 'bullmq';
import sinon from 'sinon';
import { EVENTS_LINGER, RedisEvents } from '../../../lib/apps/tasks/RedisEvents.js';
import { redisOptions } from '../../../lib/apps/tasks/redisOptions.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';
import { waitFor } from '../../support/waiting.js';

describe('RedisEvents', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let queue: Queue;

  before(async () => {
    redis = await startRedis();
    queue = new Queue('spec-events', { prefix: 'rxp', connection: redisOptions(redis.url) });
  });

  after(async () => {
    await queue.close();
    await redis.close();
  });

  it('should tell the id of each job that changes once watching, and read nothing after stop()', async () => {
    const seen: string[] = [];
    const events = new RedisEvents(
      'spec-events',
      { prefix: 'rxp', connection: redisOptions(redis.url) },
      (id) => seen.push(id),
    );
    try {
      expect(events.watching).to.equal(false);
      events.join();
      expect(events.listening).to.equal(true);
      await events.watch();
      expect(events.watching).to.equal(true);
      const job = await queue.add('any', { n: 1 });
      await waitFor(() => seen.includes(job.id!), 5000, `the events of job ${job.id}`);
      await events.stop();
      await events.watch(); // no reader made again
    } finally {
      await events.stop();
      await events.close();
    }
  });

  it('should close the reader EVENTS_LINGER ms after the last listener left, not while one listens', async () => {
    const events = new RedisEvents(
      'spec-events',
      { prefix: 'rxp', connection: redisOptions(redis.url) },
      () => undefined,
    );
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      events.join();
      await events.watch();
      events.join();
      events.leave();
      clock.tick(EVENTS_LINGER + 1);
      expect(events.watching, 'one listener left').to.equal(true);
      events.leave();
      clock.tick(EVENTS_LINGER - 1);
      expect(events.watching).to.equal(true);
      clock.tick(1);
      expect(events.watching, 'nobody for EVENTS_LINGER ms').to.equal(false);
    } finally {
      clock.restore();
      await events.stop();
      await events.close();
    }
  });
});
