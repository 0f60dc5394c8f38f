import { expect } from 'chai';
import type { Queue } from 'bullmq';
import { AddBatcher, PIPELINE_ADDS } from '../../../lib/apps/tasks/AddBatcher.js';
import { captureLogs } from '../../../lib/log/captureLogs.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';

describe('AddBatcher', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let queue: Queue;
  let adds: AddBatcher;

  before(async () => {
    redis = await startRedis();
    const { Queue: BullQueue, Job } = await import('bullmq');
    queue = new BullQueue('spec-adds', {
      connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 },
    });
    await queue.waitUntilReady();
    adds = new AddBatcher(queue, Job);
  });

  after(async () => {
    await queue?.close();
    await redis?.close();
  });

  describe('add()', () => {
    it('should add the jobs of one turn together, each with its own outcome', async () => {
      const [a, bad, b] = await Promise.allSettled([
        adds.add('one', { n: 1 }, { jobId: 'spec-a' }),
        adds.add('two', { n: 2 }, { jobId: '42' }), // BullMQ refuses integer custom ids
        adds.add('three', { n: 3 }, {}),
      ]);
      expect(a.status === 'fulfilled' && a.value.id).to.equal('spec-a');
      expect(bad.status === 'rejected' && String(bad.reason)).to.match(/integer/);
      if (b.status !== 'fulfilled') throw new Error('the third add failed');
      const third = b.value;
      expect((await queue.getJob('spec-a'))?.data).to.deep.equal({ n: 1 });
      expect((await queue.getJob(third.id))?.name).to.equal('three');
      expect(await queue.getJob('42')).to.equal(undefined);
      expect(await queue.getWaitingCount()).to.equal(2);
    });

    it('should add a burst larger than one pipeline, in order, each with its own outcome', async () => {
      const n = 2 * PIPELINE_ADDS + 10;
      const before = await queue.getWaitingCount();
      const added = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          adds.add('burst', { i }, i === PIPELINE_ADDS + 1 ? { jobId: '7' } : {}).then(
            (job) => job.id,
            (err: unknown) => `refused: ${String(err)}`,
          ),
        ),
      );
      // The refused add, in the second pipeline, fails alone.
      expect(added[PIPELINE_ADDS + 1]).to.match(/^refused: .*integer/);
      const ids = added.filter((_, i) => i !== PIPELINE_ADDS + 1).map(Number);
      expect(ids).to.have.length(n - 1);
      // Queued in the order of the calls: BullMQ's ids count up.
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).to.equal(true);
      expect(await queue.getWaitingCount()).to.equal(before + n - 1);
    });

    it('should add a lone job, and give the first job again for a known id', async () => {
      const job = await adds.add('lone', {}, {});
      expect((await queue.getJob(job.id))?.name).to.equal('lone');
      const again = await Promise.all([
        adds.add('one', { n: 9 }, { jobId: 'spec-a' }),
        adds.add('one', { n: 9 }, { jobId: 'spec-a' }),
      ]);
      expect(again.map((j) => j.id)).to.deep.equal(['spec-a', 'spec-a']);
      expect((await queue.getJob('spec-a'))?.data).to.deep.equal({ n: 1 });
    });
  });

  describe('push()', () => {
    it('should send a lone add at once, and batch those made while it is on its way', async () => {
      const sent: string[] = [];
      const add = queue.add.bind(queue);
      const backend = queue.backend;
      const client = await backend.connection.client;
      const pipeline = client.pipeline.bind(client);
      queue.add = ((...a: Parameters<typeof add>) => {
        sent.push(`add ${a[0]}`);
        return add(...a);
      }) as typeof queue.add;
      client.pipeline = (...a: Parameters<typeof pipeline>) => {
        sent.push('pipeline');
        return pipeline(...a);
      };
      try {
        const lone = adds.add('lone', {}, {});
        // Sent before this turn ends: no turn waited.
        expect(sent).to.deep.equal(['add lone']);
        const others = [adds.add('second', {}, {}), adds.add('third', {}, {})];
        expect(sent).to.deep.equal(['add lone']);
        const jobs = await Promise.all([lone, ...others]);
        // The two made while the first was on its way: one pipeline.
        expect(sent).to.deep.equal(['add lone', 'pipeline']);
        const names = await Promise.all(jobs.map(async (j) => (await queue.getJob(j.id))?.name));
        expect(names).to.deep.equal(['lone', 'second', 'third']);
        expect(Number(jobs[1]!.id)).to.be.above(Number(jobs[0].id));
      } finally {
        queue.add = add;
        client.pipeline = pipeline;
      }
    });

    it('should tell each add once, and log a callback that throws', async () => {
      const logs = captureLogs('error');
      const told: string[] = [];
      try {
        // Until all three are told: the lone add's reply and the pipeline's
        // may be read together, and then either callback may run first.
        await new Promise<void>((resolve) => {
          const tell = (what: string): void => {
            told.push(what);
            if (told.length === 3) resolve();
          };
          adds.push('a', {}, {}, (err) => tell(err === undefined ? 'a' : 'a failed')); // alone: sent at once
          adds.push('b', {}, {}, () => {
            tell('b');
            throw new Error('bad callback');
          });
          adds.push('c', {}, {}, (err) => tell(err === undefined ? 'c' : 'c failed'));
        });
        // A callback told twice would show here, a turn later.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        logs.restore();
      }
      expect(told.sort()).to.deep.equal(['a', 'b', 'c']);
      expect(logs.records.map((r) => r.message).join()).to.match(/callback threw.*bad callback/);
    });
  });
});
