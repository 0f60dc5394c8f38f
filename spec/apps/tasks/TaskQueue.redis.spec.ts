import type { ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { RedisTaskClient } from '../../../lib/apps/tasks/RedisTaskClient.js';
import {
  arbiter,
  taskClient,
  TaskBackendError,
  TaskOptionError,
  UnknownJobError,
  type Arbiter,
  type Task,
  type TaskClient,
} from '../../../lib/index.js';
import {
  redisPeriodic,
  redisQueue,
  redisStopping,
  redisThreads,
} from '../../fixtures/tasks/app.js';
import { startChildArbiter, stopChildArbiter } from '../../support/childArbiter.js';
import { startRedis, type RedisServer } from '../../support/redisServer.js';
import { alive, waitFor, within, rejection } from '../../support/waiting.js';

/** A short lease, so that a dead arbiter's tasks come back quickly. */
const LEASE = 2000;

const second = new URL('../../fixtures/tasks/redis-arbiter.js', import.meta.url).pathname;

function startSecondArbiter(url: string): Promise<ChildProcess> {
  return startChildArbiter(second, [url, String(LEASE)]);
}

function removeRuntimeDirs(pid: number): void {
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(`rxpulsar-${pid}-`))
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

describe('TaskQueue', () => {
  describe('on Redis', function () {
    this.timeout(60_000);
    let a: Arbiter;
    let redis: RedisServer;
    let client: TaskClient;

    before(async () => {
      redis = await startRedis();
      for (const app of [redisQueue, redisPeriodic]) {
        (app.params as Record<string, unknown>)['taskBackend'] = redis.url;
        (app.params as Record<string, unknown>)['taskLease'] = LEASE;
      }
      a = arbiter({ signals: false });
      await redisQueue.start();
      client = await taskClient(redis.url, 'spec-redis');
    });

    after(async () => {
      await client?.close();
      await redisQueue.stop();
      await a?.stop();
      await redis?.close();
    });

    it('should run tasks with the same API: result, error, retries, id, delay', async () => {
      const task = await redisQueue.queueTask('add', [1, 2]);
      expect(task).to.include({ name: 'add', state: 'PENDING' });
      expect(await redisQueue.waitForTask(task.id)).to.include({ state: 'SUCCESS', result: 3 });
      const failed = await redisQueue.waitForTask((await redisQueue.queueTask('fail', ['bad'])).id);
      expect(failed.state).to.equal('FAILURE');
      expect(failed.error).to.include({ name: 'TypeError', message: 'bad' });
      const flaky = await redisQueue.waitForTask((await redisQueue.queueTask('flaky', [2])).id);
      expect(flaky, JSON.stringify(flaky)).to.include({ state: 'SUCCESS', result: 2, attempts: 2 });
      const [x, y] = await Promise.all([
        redisQueue.queueTask('pid', [], { id: 'once' }),
        redisQueue.queueTask('pid', [], { id: 'once' }),
      ]);
      expect(x.queuedAt).to.equal(y.queuedAt);
      const delayed = await redisQueue.queueTask('add', [2, 2], { delay: 300 });
      const done = await redisQueue.waitForTask(delayed.id);
      expect(done.startedAt).to.be.at.least(delayed.queuedAt + 300);
    });

    it('should start positive priorities first, then the tasks without one in order, then negative ones', async () => {
      // Hold the 2 workers × 2 slots; one frees after 1.5 s and runs the rest one by one.
      const starts: string[] = [];
      const sub = redisQueue.task$.subscribe((t) => {
        if (t.state !== 'PENDING' && !starts.includes(t.id)) starts.push(t.id);
      });
      try {
        const busy = await Promise.all(
          [1500, 5000, 5000, 5000].map((ms, i) => redisQueue.queueTask('label', [`b${i}`, ms])),
        );
        await waitFor(() => busy.every((t) => starts.includes(t.id)), 10_000, 'busy tasks started');
        const order: [string, number][] = [
          ['a', 0],
          ['low', -5],
          ['lower', -9],
          ['b', 0],
          ['urgent', 5],
          ['c', 0],
          ['lowish', -1],
        ];
        const queued: Task[] = [];
        for (const [label, priority] of order)
          queued.push(await redisQueue.queueTask('label', [label], { priority }));
        expect(queued.map((t) => t.priority)).to.deep.equal(order.map(([, p]) => p));
        const done = await Promise.all(queued.map((t) => redisQueue.waitForTask(t.id)));
        expect(done.map((t) => t.priority)).to.deep.equal(order.map(([, p]) => p));
        const label = new Map(done.map((t) => [t.id, t.result]));
        expect(starts.filter((id) => label.has(id)).map((id) => label.get(id))).to.deep.equal([
          'urgent',
          'a',
          'b',
          'c',
          'lowish',
          'low',
          'lower',
        ]);
        await Promise.all(busy.map((t) => redisQueue.waitForTask(t.id)));
      } finally {
        sub.unsubscribe();
      }
    });

    it('should refuse bad input and a timeout fails the task', async () => {
      expect(await rejection(redisQueue.queueTask('nope'))).to.be.instanceOf(UnknownJobError);
      for (const id of ['4242424242', 'a:b']) {
        const err = await rejection(redisQueue.queueTask('add', [1, 1], { id }));
        expect(err, id).to.be.instanceOf(TaskOptionError);
        expect(await redisQueue.getTask(id)).to.equal(undefined);
      }
      const slow = await redisQueue.queueTask('sleep', [20_000], { timeout: 200 });
      const done = await redisQueue.waitForTask(slow.id);
      expect(done.state).to.equal('FAILURE');
      expect(done.error?.code).to.equal('RXP_ERR_TASK_TIMEOUT');
    });

    it('should revoke pending and running tasks', async () => {
      const later = await redisQueue.queueTask('add', [1, 1], { delay: 10_000 });
      expect((await redisQueue.revokeTask(later.id))?.state).to.equal('REVOKED');
      expect((await redisQueue.getTask(later.id))?.state).to.equal('REVOKED');
      const seen: Task[] = [];
      const sub = redisQueue.task$.subscribe((t) => seen.push(t));
      const running = await redisQueue.queueTask('sleep', [20_000]);
      await waitFor(
        () => seen.some((t) => t.id === running.id && t.progress !== undefined),
        10_000,
        'started',
      );
      const pid = (
        seen.find((t) => t.id === running.id && t.progress !== undefined)!.progress as {
          pid: number;
        }
      ).pid;
      sub.unsubscribe();
      await redisQueue.revokeTask(running.id);
      const done = await within(redisQueue.waitForTask(running.id), 10_000, 'revoked');
      expect(done.state).to.equal('REVOKED');
      expect(alive(pid)).to.equal(true);
    });

    /** Follow a task on task$ until its worker reports its pid (as progress). */
    async function startedPid(queued: PromiseLike<Task>): Promise<[Task, number]> {
      const seen: Task[] = [];
      const sub = redisQueue.task$.subscribe((t) => seen.push(t));
      try {
        const task = await queued;
        const started = (): Task | undefined =>
          seen.find((t) => t.id === task.id && t.progress !== undefined);
        await waitFor(() => started() !== undefined, 10_000, 'started');
        return [task, (started()!.progress as { pid: number }).pid];
      } finally {
        sub.unsubscribe();
      }
    }

    it('should replace a worker whose task ignores its revoke signal past the grace', async () => {
      const [task, pid] = await startedPid(redisQueue.queueTask('stubborn', [60_000]));
      await redisQueue.revokeTask(task.id);
      await waitFor(() => !alive(pid), 10_000, 'the stubborn worker replaced');
      await waitFor(() => redisQueue.monitor!.managedActors.length === 2, 20_000, 'pool healed');
      expect((await redisQueue.getTask(task.id))?.state).to.equal('REVOKED');
    });

    it('should time out a task that blocks its worker, and replace the worker', async () => {
      const pids = redisQueue.monitor!.managedActors.map((p) => p.pid!);
      // Its worker's loop is blocked (no progress report gets out): the
      // arbiter fails the attempt, then replaces the worker after the grace
      // (2 s), well before the block ends.
      const task = await redisQueue.queueTask('blockPid', [8000], { timeout: 300 });
      const done = await within(redisQueue.waitForTask(task.id), 10_000, 'timed out');
      expect(done.state).to.equal('FAILURE');
      expect(done.error?.code).to.equal('RXP_ERR_TASK_TIMEOUT');
      await waitFor(() => pids.some((pid) => !alive(pid)), 10_000, 'the blocked worker replaced');
      await waitFor(() => redisQueue.monitor!.managedActors.length === 2, 20_000, 'pool healed');
      expect((await redisQueue.getTask(task.id))?.state).to.equal('FAILURE');
    });

    it('should give a task whose worker was SIGKILLed to another worker at once', async () => {
      const seen: Task[] = [];
      const sub = redisQueue.task$.subscribe((t) => seen.push(t));
      const task = await redisQueue.queueTask('sleep', [600]);
      await waitFor(
        () => seen.some((t) => t.id === task.id && t.progress !== undefined),
        10_000,
        'started',
      );
      const pid = (
        seen.find((t) => t.id === task.id && t.progress !== undefined)!.progress as { pid: number }
      ).pid;
      sub.unsubscribe();
      process.kill(pid, 'SIGKILL');
      const done = await within(redisQueue.waitForTask(task.id), 10_000, 'done after SIGKILL');
      expect(done.state).to.equal('SUCCESS');
      expect(done.result).to.not.equal(pid);
    });

    it('should fail a task that kills its worker maxDeaths times', async () => {
      const done = await within(
        redisQueue.waitForTask((await redisQueue.queueTask('poison')).id),
        30_000,
        'poison task failed',
      );
      expect(done.state).to.equal('FAILURE');
      expect(done.error).to.include({ name: 'WorkerLostError', code: 'RXP_ERR_WORKER_LOST' });
      await waitFor(() => redisQueue.monitor!.managedActors.length === 2, 20_000, 'pool healed');
    });

    it('should bring every task to SUCCESS while workers are SIGKILLed every second', async () => {
      // A fresh restart history: the workers the tests above killed (up to
      // 10 within restartWindow) would back the replacements of these kills
      // off by up to backoffMax (10 s) each, or open the breaker for its
      // 30 s cool-down: the tasks would wait for workers, for longer than
      // the deadline below on a busy machine.
      const before = redisQueue.monitor!.restartPolicy.recentRestarts;
      redisQueue.monitor!.restartPolicy.reset();
      const n = 400;
      let kills = 0;
      const killer = setInterval(() => {
        const workers = redisQueue.monitor!.managedActors.filter((p) => p.pid !== undefined);
        const victim = workers[Math.floor(Math.random() * workers.length)];
        if (victim?.pid === undefined || kills >= 4) return;
        kills++;
        try {
          process.kill(victim.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 1000);
      try {
        const queued = await Promise.all(
          Array.from({ length: n }, (_, i) => client.queueTask('work', [i], { id: `chaos-${i}` })),
        );
        const done = await within(
          Promise.all(queued.map((t) => client.waitForTask(t.id))),
          45_000,
          'every chaos task done',
        );
        done.forEach((t, i) => expect(t).to.include({ state: 'SUCCESS', result: i * 2 }));
      } finally {
        clearInterval(killer);
      }
      console.log(`      ${kills} workers SIGKILLed (${before} restarts before)`);
      for (let i = 0; i < n; i++) {
        expect((await client.getTask(`chaos-${i}`))?.state, `chaos-${i} in Redis`).to.equal(
          'SUCCESS',
        );
      }
    });

    it('should serve taskClient(url) from outside any arbiter', async () => {
      const states: string[] = [];
      const task = await client.queueTask('add', [20, 22]);
      const sub = client.task$.subscribe((t) => {
        if (t.id === task.id) states.push(t.state);
      });
      const done = await client.waitForTask(task.id);
      await waitFor(() => states.includes('SUCCESS'), 10_000, 'SUCCESS on task$');
      sub.unsubscribe();
      expect(done.result).to.equal(42);
      expect(states).to.include('SUCCESS');
      expect((await client.getTask(task.id))?.state).to.equal('SUCCESS');
    });

    it('should stop reading the events once nobody listens, and read them again for the next', async () => {
      const reader = new RedisTaskClient(redis.url, { queue: 'spec-redis' });
      await reader.start();
      try {
        // Its RedisEvents.
        const inside = (reader as unknown as { events: { reader: unknown; closeIdle(): void } })
          .events;
        await reader.waitForTask((await reader.queueTask('add', [1, 2])).id);
        expect(inside.reader).not.to.equal(undefined);
        // What its timer does EVENTS_LINGER ms after the last listener left.
        inside.closeIdle();
        expect(inside.reader).to.equal(undefined);
        const done = await reader.waitForTask((await reader.queueTask('add', [2, 3])).id);
        expect(done.result).to.equal(5);
        expect(inside.reader).not.to.equal(undefined);
      } finally {
        await reader.stop();
      }
    });

    it('should run tasks on thread workers and drop results after resultTtl', async () => {
      (redisThreads.params as Record<string, unknown>)['taskBackend'] = redis.url;
      await redisThreads.start();
      try {
        const done = await redisThreads.waitForTask((await redisThreads.queueTask('pid')).id);
        expect(done).to.include({ state: 'SUCCESS', result: process.pid });
        // Dropped by the arbiter's cleaner (every tenth of resultTtl).
        const deadline = Date.now() + 10_000;
        while ((await redisThreads.getTask(done.id)) !== undefined) {
          if (Date.now() > deadline) throw new Error('not expired within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await redisThreads.stop();
      }
    });

    it('should let a running task finish when its app stops', async () => {
      (redisStopping.params as Record<string, unknown>)['taskBackend'] = redis.url;
      await redisStopping.start();
      let id: string;
      try {
        const seen: Task[] = [];
        const sub = redisStopping.task$.subscribe((t) => seen.push(t));
        id = (await redisStopping.queueTask('sleep', [1000])).id;
        await waitFor(() => seen.some((t) => t.id === id && t.state === 'STARTED'), 10_000, 'run');
        sub.unsubscribe();
      } finally {
        await redisStopping.stop();
      }
      const reader = await taskClient(redis.url, 'spec-redis-stopping');
      let task: Task | undefined;
      try {
        task = await reader.getTask(id);
      } finally {
        await reader.close();
      }
      expect(task, JSON.stringify(task)).to.include({ state: 'SUCCESS', attempts: 1 });
    });

    describe('with a second arbiter', () => {
      let child: ChildProcess;

      before(async () => {
        await redisPeriodic.start();
        child = await startSecondArbiter(redis.url);
      });

      after(async () => {
        await stopChildArbiter(child);
        await redisPeriodic.stop();
      });

      it('should share one queue between two arbiters', async () => {
        const queued = await Promise.all(
          Array.from({ length: 24 }, () => client.queueTask('ppid', [150])),
        );
        const done = await Promise.all(queued.map((t) => client.waitForTask(t.id)));
        const arbiters = new Set(done.map((t) => t.result));
        expect(done.every((t) => t.state === 'SUCCESS')).to.equal(true);
        expect(arbiters).to.include(process.pid);
        expect(arbiters).to.include(child.pid);
      });

      it('should queue each tick of a periodic job once, with two arbiters', async () => {
        const ticks: string[] = [];
        const periodic = await taskClient(redis.url, 'spec-redis-periodic');
        const sub = periodic.task$.subscribe((t) => {
          if (t.name === 'tick' && t.state === 'SUCCESS') ticks.push(t.id);
        });
        // Three ticks seen, however long a busy machine takes to run them
        // (a fixed wait would count fewer there).
        try {
          await waitFor(() => new Set(ticks).size >= 3, 20_000, 'three ticks');
        } finally {
          sub.unsubscribe();
          await periodic.close();
        }
        const distinct = new Set(ticks);
        const times = [...distinct].map((id) => Number(id.split(':').at(-1))).sort();
        for (let i = 1; i < times.length; i++)
          expect(times[i]! - times[i - 1]!).to.be.at.least(1000);
      });

      it('should give the tasks of an arbiter killed with SIGKILL to the other after the lease', async () => {
        const seen: Task[] = [];
        const sub = client.task$.subscribe((t) => seen.push(t));
        const queued = await Promise.all(
          Array.from({ length: 8 }, () => client.queueTask('sleep', [1500])),
        );
        const onChild = (): Task | undefined =>
          seen.find((t) => (t.progress as { ppid?: number } | undefined)?.ppid === child.pid);
        await waitFor(
          () => onChild() !== undefined,
          15_000,
          'a task running on the second arbiter',
        );
        const victim = onChild()!;
        const killedAt = Date.now();
        child.kill('SIGKILL');
        const done = await within(client.waitForTask(victim.id), 30_000, 'the task back');
        sub.unsubscribe();
        expect(done.state).to.equal('SUCCESS');
        expect(done.result).to.not.equal(child.pid);
        console.log(
          `      back and done ${Date.now() - killedAt} ms after the arbiter died (lease ${LEASE} ms)`,
        );
        await Promise.all(queued.map((t) => client.waitForTask(t.id)));
        removeRuntimeDirs(child.pid!);
      });
    });

    it('should fail producers clearly while Redis is down, and resume after', async () => {
      await redis.stop();
      const err = await rejection(redisQueue.queueTask('add', [1, 1]));
      expect(err).to.be.instanceOf(TaskBackendError);
      expect(err.message).to.match(/Redis at redis:\/\/127\.0\.0\.1/);
      await redis.restart();
      const back = Date.now();
      let task: Task | undefined;
      while (task === undefined) {
        try {
          task = await redisQueue.queueTask('add', [3, 4]);
        } catch {
          if (Date.now() - back > 15_000) throw new Error('producers did not come back');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const done = await within(redisQueue.waitForTask(task.id), 20_000, 'consumers resumed');
      expect(done, JSON.stringify(done)).to.include({ state: 'SUCCESS', result: 7 });
      console.log(`      a task ran ${Date.now() - back} ms after Redis came back`);
    });
  });
});
