import { expect } from 'chai';
import type { Job } from 'bullmq';
import type { Actor } from '../../../lib/actor/Actor.js';
import { Deferred } from '../../../lib/async/Deferred.js';
import { jobSpecs } from '../../../lib/apps/tasks/jobSpecs.js';
import { RedisConsumer, type Timed } from '../../../lib/apps/tasks/RedisConsumer.js';
import { rejection } from '../../support/waiting.js';

/**
 * The one turn between a timed job's arrival and its start (its report to
 * the arbiter leaves first) cannot be hit from outside a worker: the
 * consumer is driven here as BullMQ drives it (its processor), with a
 * stand-in for its worker actor that records what it sends.
 */
describe('RedisConsumer', () => {
  describe('process()', () => {
    it('should not start a timed job revoked before its start, and report its end', async () => {
      const ran: string[] = [];
      const sent: unknown[][] = [];
      const worker = {
        aid: 'w1',
        send: (...args: unknown[]) => {
          sent.push(args);
          return new Deferred();
        },
        command: () => worker,
      } as unknown as Actor;
      const specs = jobSpecs({ slow: () => ran.push('slow') });
      const consumer = new RedisConsumer(
        worker,
        'spec-app',
        specs,
        { url: 'redis://127.0.0.1:1/0', queue: 'q', concurrentTasks: 1, lease: 1000, maxDeaths: 3 },
        () => Promise.reject(new Error('not here')),
      );
      const kept: object[] = [];
      const job = {
        id: '7',
        name: 'slow',
        data: { timeout: 60_000 },
        updateData: (data: object) => {
          kept.push(data);
          return Promise.resolve();
        },
      } as unknown as Job;
      const driven = consumer as unknown as {
        process(job: Job, token: string): unknown;
        abort(id: string, token: string, reason: string): void;
      };
      const outcome = driven.process(job, 'c1:1') as Promise<unknown>;
      // The revoke arrives in the same turn, before the job's start.
      driven.abort('7', 'c1:1', 'revoked');
      const err = await rejection(outcome);
      expect(ran).to.deep.equal([]);
      expect(String(err)).to.match(/task 7 was revoked/);
      expect(kept).to.have.length(1);
      expect((kept[0] as { error: { code: string } }).error.code).to.equal('RXP_ERR_TASK_REVOKED');
      // The arbiter heard of its start (timeout) and of its end.
      await new Promise((resolve) => setImmediate(resolve));
      const tracked = sent.filter((s) => s[1] === 'task_tracked');
      const timed = tracked.flatMap((s) => s[3] as Timed[]);
      const ended = tracked.flatMap((s) => s[4] as [string, string][]);
      expect(timed).to.deep.equal([['7', 'c1:1', 60_000]]);
      expect(ended).to.deep.equal([['7', 'c1:1']]);
    });
  });
});
