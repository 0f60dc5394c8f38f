import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { checkTask } from '../../../lib/apps/tasks/checkTask.js';
import { Heap } from '../../../lib/apps/tasks/Heap.js';
import { backoffDelay, jobSpecs } from '../../../lib/apps/tasks/jobSpecs.js';
import { bullPriority, checkBullId, taskPriority } from '../../../lib/apps/tasks/jobToTask.js';
import { nextTick } from '../../../lib/apps/tasks/nextTick.js';
import { redisOptions } from '../../../lib/apps/tasks/redisOptions.js';
import { RedisJobContext } from '../../../lib/apps/tasks/RedisJobContext.js';
import { TaskJobContext } from '../../../lib/apps/tasks/TaskJobContext.js';
import {
  Deferred,
  MessageTooLargeError,
  TaskOptionError,
  UnknownJobError,
  type Actor,
  type Task,
} from '../../../lib/index.js';
import type { Job } from 'bullmq';

describe('task queue helpers', () => {
  describe('Heap', () => {
    it('should pop in order', () => {
      const h = new Heap<number>((a, b) => a < b);
      for (const n of [5, 1, 4, 2, 3, 0]) h.push(n);
      const out: number[] = [];
      for (let n = h.pop(); n !== undefined; n = h.pop()) out.push(n);
      expect(out).to.deep.equal([0, 1, 2, 3, 4, 5]);
    });

    it('should pop the least item while pushes and pops interleave', () => {
      const h = new Heap<number>((a, b) => a < b);
      const model: number[] = [];
      let seed = 7;
      const random = (): number => (seed = (seed * 16_807) % 2_147_483_647) % 1000;
      for (let i = 0; i < 5000; i++) {
        if (random() < 550 || model.length === 0) {
          const n = random();
          h.push(n);
          model.push(n);
        } else {
          model.sort((a, b) => a - b);
          expect(h.pop()).to.equal(model.shift());
        }
      }
      expect(h.size).to.equal(model.length);
    });
  });

  describe('TaskJobContext', () => {
    it('should make task, signal and progress when read, progress bound to its attempt', () => {
      const sent: unknown[][] = [];
      const actor = {
        send: (...args: unknown[]) => {
          sent.push(args);
          return new Deferred();
        },
      } as unknown as Actor;
      const entry: { controller: AbortController | undefined } = { controller: undefined };
      const a = {
        ...{ id: 't1', token: 3, name: 'add', args: [1, 2], attempts: 2, timeout: undefined },
        meta: { priority: 5, queuedAt: 100 },
      };
      const ctx = new TaskJobContext(a, entry, actor, 'jobs', () => new Deferred<Task>());
      expect(entry.controller).to.equal(undefined);
      expect(ctx.task).to.deep.equal({
        ...{ id: 't1', name: 'add', args: [1, 2], state: 'STARTED', attempts: 2 },
        ...{ priority: 5, queuedAt: 100 },
      });
      expect(ctx.task).to.equal(ctx.task); // made once
      const { progress, signal } = ctx;
      expect(entry.controller!.signal).to.equal(signal);
      progress(50);
      expect(sent).to.deep.equal([['jobs', 'task_progress', 't1', 3, 50]]);
    });
  });

  describe('RedisJobContext', () => {
    it('should make task, signal and progress when read, progress bound to its job and sent at once', async () => {
      const progress: unknown[] = [];
      const job = {
        ...{ id: 'r1', name: 'add', data: { priority: -2 }, attemptsStarted: 1 },
        ...{ timestamp: 100, processedOn: 150 },
        updateProgress: (value: unknown) => Promise.resolve(void progress.push(value)),
      } as unknown as Job;
      const entry: { controller: AbortController | undefined } = { controller: undefined };
      const actor = {} as Actor;
      let flushed = 0;
      const ctx = new RedisJobContext(
        job,
        [1, 2],
        entry,
        actor,
        () => new Deferred<Task>(),
        () => flushed++,
      );
      expect(entry.controller).to.equal(undefined);
      expect(ctx.task).to.deep.equal({
        ...{ id: 'r1', name: 'add', args: [1, 2], state: 'STARTED', attempts: 1 },
        ...{ priority: -2, queuedAt: 100, startedAt: 150 },
      });
      const { progress: report, signal } = ctx;
      expect(entry.controller!.signal).to.equal(signal);
      expect(ctx.actor).to.equal(actor);
      report(7);
      expect(flushed).to.equal(1); // the worker's held writes leave with it
      await Promise.resolve();
      expect(progress).to.deep.equal([7]);
    });
  });

  describe('jobSpecs()', () => {
    it('should read functions and definitions, durations in ms', () => {
      const specs = jobSpecs({
        a: () => 1,
        b: { run: () => 2, timeout: '2 s', retries: 2, backoff: 100, every: '1 minute' },
      });
      expect(specs.get('a')).to.include({ retries: 0, timeout: undefined });
      expect(specs.get('b')).to.include({ retries: 2, timeout: 2000, every: 60_000 });
      expect(specs.get('b')!.backoff).to.deep.equal({ type: 'fixed', delay: 100 });
    });

    it('should refuse a bad definition with a clear error', () => {
      expect(() => jobSpecs({ a: 3 } as never)).to.throw(
        TaskOptionError,
        /job "a": must be a function/,
      );
      expect(() => jobSpecs({ a: { run: () => 1, every: 'often' } })).to.throw(
        TaskOptionError,
        /every = "often"/,
      );
      expect(() => jobSpecs({ a: { run: () => 1, cron: 'not cron' } })).to.throw(
        TaskOptionError,
        /cron/,
      );
      expect(() => jobSpecs({ a: { run: () => 1, retries: 1.5 } })).to.throw(
        TaskOptionError,
        /retries/,
      );
      expect(() => jobSpecs({ a: { run: () => 1, retries: 1e20 } })).to.throw(
        TaskOptionError,
        'job "a": retries = 100000000000000000000: must be at most 9007199254740991',
      );
    });

    it('should refuse a timeout longer than a timer takes (it would fire after 1 ms)', () => {
      expect(() => jobSpecs({ a: { run: () => 1, timeout: '30 d' } })).to.throw(
        TaskOptionError,
        'job "a": timeout = "30 d": must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)',
      );
      expect(jobSpecs({ a: { run: () => 1, timeout: 2 ** 31 - 1 } }).get('a')!.timeout).to.equal(
        2 ** 31 - 1,
      );
      // A period is no single timer: the embedded backend re-arms, BullMQ keeps a date.
      expect(jobSpecs({ a: { run: () => 1, every: '30 d' } }).get('a')!.every).to.equal(
        30 * 86_400_000,
      );
    });
  });

  describe('backoffDelay()', () => {
    it('should double an exponential backoff', () => {
      const b = { type: 'exponential' as const, delay: 100 };
      expect([1, 2, 3].map((n) => backoffDelay(b, n))).to.deep.equal([100, 200, 400]);
    });
  });

  describe('nextTick()', () => {
    it('should align every on the epoch and follow cron in UTC', () => {
      expect(nextTick({ every: 60_000 }, Date.UTC(2026, 0, 1, 0, 0, 30))).to.equal(
        Date.UTC(2026, 0, 1, 0, 1),
      );
      expect(nextTick({ cron: '0 * * * *' }, Date.UTC(2026, 0, 1, 0, 30))).to.equal(
        Date.UTC(2026, 0, 1, 1),
      );
    });
  });

  describe('checkTask()', () => {
    const specs = jobSpecs({ add: { run: () => 1, retries: 2, timeout: 500 } });

    it('should fill in the job defaults', () => {
      expect(checkTask(specs, 'add', [1], { delay: '1 s' })).to.deep.include({
        delay: 1000,
        retries: 2,
        timeout: 500,
        priority: 0,
        durable: true,
      });
    });

    it('should refuse unknown jobs and bad options', () => {
      expect(() => checkTask(specs, 'nope', [])).to.throw(UnknownJobError);
      expect(() => checkTask(specs, 'add', 'x')).to.throw(TaskOptionError, /args must be an array/);
      expect(() => checkTask(specs, 'add', [], { priority: 1.5 })).to.throw(
        TaskOptionError,
        /priority/,
      );
      expect(() => checkTask(specs, 'add', [], { id: '' })).to.throw(TaskOptionError, /id/);
      expect(() => checkTask(specs, 'add', [], { durable: 'no' as never })).to.throw(
        TaskOptionError,
        /durable must be true or false/,
      );
    });

    it('should refuse a timeout past 24.8 days, and take a delay of any length', () => {
      expect(() => checkTask(specs, 'add', [], { timeout: '30 d' })).to.throw(
        TaskOptionError,
        'task "add": timeout = "30 d": must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)',
      );
      expect(() => checkTask(specs, 'add', [], { timeout: 2 ** 31 })).to.throw(
        TaskOptionError,
        'task "add": timeout = 2147483648: must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)',
      );
      expect(checkTask(specs, 'add', [], { timeout: 2 ** 31 - 1 }).timeout).to.equal(2 ** 31 - 1);
      expect(checkTask(specs, 'add', [], { delay: 1e15 }).delay).to.equal(1e15);
    });

    it('should refuse arguments too large for a message to a worker', () => {
      expect(() => checkTask(specs, 'add', ['x'.repeat(100_000)], {}, 65536)).to.throw(
        MessageTooLargeError,
        /task "add": its arguments take 100004 characters, too many for a message to a worker \(maxMessageSize 65536/,
      );
      expect(checkTask(specs, 'add', ['x'.repeat(60_000)], {}, 65536).args).to.have.length(1);
      expect(checkTask(specs, 'add', ['x'.repeat(100_000)]).args).to.have.length(1); // no limit
    });
  });

  describe('bullPriority()', () => {
    it('should leave tasks without a priority in the wait list, put positive ones first, negative ones after', () => {
      expect(bullPriority(0)).to.deep.equal({});
      expect(bullPriority(7)).to.deep.equal({ lifo: true });
      expect(bullPriority(-1)).to.deep.equal({ priority: 1 });
      expect(bullPriority(-9)).to.deep.equal({ priority: 9 });
      expect(bullPriority(-1e9)).to.deep.equal({ priority: 2_097_151 });
      expect(taskPriority({})).to.equal(0);
      expect(taskPriority({ priority: -9 })).to.equal(-9);
    });
  });

  describe('checkBullId()', () => {
    it('should refuse the ids BullMQ refuses, with a TaskOptionError', () => {
      for (const id of [undefined, 'order-42', 'cleanup@2026-01-01T00:10:00.000Z', '42x'])
        expect(() => checkBullId('add', id), String(id)).to.not.throw();
      for (const id of ['42', '-3', '0', 'a:b', 'a:b:c:d'])
        expect(() => checkBullId('add', id), id).to.throw(TaskOptionError, /on Redis/);
    });
  });

  describe('redisOptions()', () => {
    it('should read host, port, db and credentials', () => {
      expect(redisOptions('redis://:s3cret@10.0.0.1:6380/2')).to.deep.equal({
        host: '10.0.0.1',
        port: 6380,
        db: 2,
        password: 's3cret',
      });
      expect(() => redisOptions('http://x')).to.throw(TaskOptionError);
    });
  });

  describe('the package entry', () => {
    it('should not load bullmq, ioredis or cron-parser', () => {
      const entry = new URL('../../../lib/index.js', import.meta.url).href;
      const script = `
        await import(${JSON.stringify(entry)});
        const { createRequire } = await import('node:module');
        const keys = Object.keys(createRequire(import.meta.url).cache);
        console.log(JSON.stringify(keys.filter((k) => /bullmq|ioredis|cron-parser|luxon/.test(k))));`;
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(out.status, out.stderr).to.equal(0);
      expect(JSON.parse(out.stdout)).to.deep.equal([]);
    });
  });
});
