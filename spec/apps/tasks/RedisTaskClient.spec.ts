import { createServer } from 'node:net';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisTaskClient } from '../../../lib/apps/tasks/RedisTaskClient.js';
import { InvalidStateError, TaskBackendError } from '../../../lib/index.js';
import { redisPerSuite } from '../../support/redisServer.js';
import { rejection, waitFor, within } from '../../support/waiting.js';

/** How many handles of `type` this process holds (`TCPSocketWrap`, `Timeout`…). */
function held(type: string): number {
  return process.getActiveResourcesInfo().filter((t) => t === type).length;
}

/** A TCP port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('RedisTaskClient', () => {
  describe('start()', function () {
    this.timeout(30_000);

    it('should fail with a TaskBackendError when Redis does not answer, and leave nothing reconnecting', async () => {
      const sockets = held('TCPSocketWrap');
      const url = `redis://127.0.0.1:${await deadPort()}/0`;
      const client = new RedisTaskClient(url, { queue: 'spec-start', readyTimeout: 1000 });
      const err = await rejection(client.start());
      expect(err).to.be.instanceOf(TaskBackendError);
      expect(err.message).to.match(
        /cannot connect: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 failed \(no answer within 1000 ms; last error: connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
      );
      await client.stop();
      await waitFor(() => held('TCPSocketWrap') <= sockets, 5000, 'no socket left');
    });

    describe('with a Redis', () => {
      const redis = redisPerSuite();

      it('should make nothing that outlives a stop() that came while it started', async () => {
        const sockets = held('TCPSocketWrap');
        const client = new RedisTaskClient(redis().url, { queue: 'spec-start' });
        const starting = client.start();
        await client.stop();
        const err = await rejection(starting);
        expect(err).to.be.instanceOf(InvalidStateError);
        await waitFor(() => held('TCPSocketWrap') <= sockets, 5000, 'no socket left');
      });
    });
  });

  describe('stop()', function () {
    this.timeout(30_000);
    const redis = redisPerSuite(true);

    /** A started client that reads the queue's events (a blocking connection). */
    async function listening(): Promise<RedisTaskClient> {
      const client = new RedisTaskClient(redis().url, { queue: 'spec-stop' });
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
      await redis().stop();
      await redis().restart();
      await client.stop();
    });

    it('should return with Redis down, leave no rejection behind, and no timer of BullMQ', async () => {
      const timers = held('Timeout');
      const client = await listening();
      const unhandled: unknown[] = [];
      const record = (err: unknown): number => unhandled.push(err);
      process.on('unhandledRejection', record);
      try {
        await redis().stop();
        await client.stop();
        // BullMQ's blocking read kept an 11 s watchdog timer (and the process) alive.
        await waitFor(() => held('Timeout') <= timers, 4000, "BullMQ's read watchdog cleared");
        await waitFor(() => held('TCPSocketWrap') === 0, 2000, 'no socket left');
        expect(unhandled).to.deep.equal([]);
      } finally {
        process.off('unhandledRejection', record);
      }
    });
  });

  describe('waitForTask()', function () {
    this.timeout(30_000);
    const redis = redisPerSuite();

    it('should give up after its ms while Redis is down and its events are not read yet', async () => {
      const client = new RedisTaskClient(redis().url, { queue: 'spec-wait' });
      await client.start();
      try {
        const task = await client.queueTask('any', [1]);
        await redis().stop();
        const sub = client.task$.subscribe(); // events read from now: they never get ready
        try {
          expect(await client.waitForTask(task.id, 500)).to.equal(null);
        } finally {
          sub.unsubscribe();
        }
      } finally {
        await client.stop();
      }
    });
  });

  describe('a frozen Redis (SIGSTOP)', function () {
    this.timeout(30_000);
    const redis = redisPerSuite();

    /** The pid of the redis-server, as it says. */
    async function redisPid(): Promise<number> {
      const conn = new Redis({ port: redis().port, host: '127.0.0.1', lazyConnect: true });
      try {
        await conn.connect();
        return Number(/process_id:(\d+)/.exec(await conn.info('server'))![1]);
      } finally {
        conn.disconnect();
      }
    }

    it('should fail calls with a TaskBackendError, and serve again once it resumes', async () => {
      const client = new RedisTaskClient(redis().url, { queue: 'spec-frozen', readyTimeout: 1000 });
      const other = new RedisTaskClient(redis().url, { queue: 'spec-frozen' });
      await Promise.all([client.start(), other.start()]);
      const pid = await redisPid();
      try {
        // Waiting before the freeze: the events are read (a blocking connection)…
        const seen: string[] = [];
        const sub = client.task$.subscribe((t) => seen.push(t.id));
        const task = await client.queueTask('any', [1]);
        await waitFor(() => seen.includes(task.id), 10_000, 'the events read');
        sub.unsubscribe();
        const waiting = client.waitForTask(task.id);
        // …and its first read is over (the reads on each connection are answered in order).
        await new Promise((resolve) => setImmediate(resolve));
        for (let i = 0; i < 2; i++) await client.getTask(task.id);
        process.kill(pid, 'SIGSTOP');
        try {
          const errors = await within(
            Promise.all([
              rejection(client.queueTask('any', [2])),
              rejection(client.getTask(task.id)),
              rejection(client.waitForTask('another')),
            ]),
            10_000,
            'the calls failed',
          );
          for (const err of errors) {
            expect(err).to.be.instanceOf(TaskBackendError);
            expect(err.message).to.match(/Redis at redis:\/\/127\.0\.0\.1:\d+\/0 failed/);
          }
        } finally {
          process.kill(pid, 'SIGCONT');
        }
        // The events reader goes on: a revocation by another client reaches the waiter.
        await other.revokeTask(task.id);
        expect(await within(waiting, 10_000, 'the waiter told')).to.include({ state: 'REVOKED' });
        const next = await within(client.queueTask('any', [3]), 10_000, 'queued again');
        expect(await client.getTask(next.id)).to.include({ state: 'PENDING' });
      } finally {
        process.kill(pid, 'SIGCONT');
        await Promise.all([client.stop(), other.stop()]);
      }
    });
  });
});
