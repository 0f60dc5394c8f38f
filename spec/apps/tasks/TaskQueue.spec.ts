import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  arbiter,
  EncodingError,
  tasks,
  TaskOptionError,
  UnknownJobError,
  type Arbiter,
  type Task,
} from '../../../lib/index.js';
import type { EmbeddedBackend } from '../../../lib/apps/tasks/EmbeddedBackend.js';
import { dataDir, queue, threads } from '../../fixtures/tasks/app.js';
import { alive, waitFor, within, rejection } from '../../support/waiting.js';

/** The states a task went through, from task$. */
function watch(): {
  states(id: string): string[];
  stop(): void;
  last(id: string): Task | undefined;
} {
  const seen: Task[] = [];
  const sub = queue.task$.subscribe((t) => seen.push(t));
  return {
    states: (id) => seen.filter((t) => t.id === id).map((t) => t.state),
    last: (id) => seen.filter((t) => t.id === id).at(-1),
    stop: () => sub.unsubscribe(),
  };
}

describe('TaskQueue', () => {
  let a: Arbiter;

  before(async () => {
    rmSync(dataDir('spec-tasks'), { recursive: true, force: true });
    a = arbiter({ signals: false });
    await queue.start();
  });

  after(async () => {
    await queue.stop();
    await a.stop();
    rmSync(dataDir('spec-tasks'), { recursive: true, force: true });
  });

  describe('queueTask()', () => {
    it('should run a task on a worker and keep its result', async () => {
      const w = watch();
      const task = await queue.queueTask('add', [1, 2]);
      expect(task).to.include({ name: 'add', state: 'PENDING', attempts: 0 });
      const done = await within(queue.waitForTask(task.id), 10_000, 'task done');
      w.stop();
      expect(done).to.include({ state: 'SUCCESS', result: 3, attempts: 1 });
      expect(done.startedAt).to.be.at.least(done.queuedAt);
      expect(done.endedAt).to.be.at.least(done.startedAt!);
      expect(w.states(task.id)).to.deep.equal(['PENDING', 'STARTED', 'SUCCESS']);
      expect((await queue.getTask(task.id))?.result).to.equal(3);
    });

    it('should keep the class, code and remote stack of an error', async () => {
      const task = await queue.queueTask('fail', ['bad input']);
      const done = await queue.waitForTask(task.id);
      expect(done.state).to.equal('FAILURE');
      expect(done.error).to.include({ name: 'TypeError', message: 'bad input' });
      expect(done.error?.stack).to.match(/jobs\.[jt]s/);
    });

    it('should queue once for one id', async () => {
      const [first, second] = await Promise.all([
        queue.queueTask('pid', [], { id: 'only-once' }),
        queue.queueTask('pid', [], { id: 'only-once' }),
      ]);
      expect(second.queuedAt).to.equal(first.queuedAt);
      const done = await queue.waitForTask('only-once');
      const again = await queue.queueTask('pid', [], { id: 'only-once' });
      expect(again).to.include({ state: 'SUCCESS', attempts: 1, result: done.result });
    });

    it('should start a delayed task no sooner than its delay', async () => {
      const task = await queue.queueTask('add', [2, 2], { delay: '300 ms' });
      expect(task.runAt).to.be.at.least(task.queuedAt + 300);
      const done = await queue.waitForTask(task.id);
      expect(done.startedAt).to.be.at.least(task.queuedAt + 300);
      expect(done.result).to.equal(4);
    });

    it('should start higher priorities first', async () => {
      // Fill the 2 workers × 2 × PREFETCH credits (running and next in
      // line) with tasks that run until released, queue low before high,
      // then release them. (Busy tasks of a fixed duration could end, and
      // let low start, before high is queued on a busy machine.)
      const embedded = (): EmbeddedBackend => queue.backend as EmbeddedBackend;
      await waitFor(() => embedded().dispatcher.free === 8, 10_000, 'two idle workers');
      const release = join(dataDir('spec-tasks'), 'release-busy');
      try {
        const busy = await Promise.all(
          Array.from({ length: 8 }, () => queue.queueTask('hold', [release])),
        );
        const low = await queue.queueTask('label', ['low'], { priority: 0 });
        const high = await queue.queueTask('label', ['high'], { priority: 10 });
        expect(embedded().dispatcher.free, 'low and high wait for a credit').to.equal(0);
        writeFileSync(release, '');
        const [l, h] = await Promise.all([queue.waitForTask(low.id), queue.waitForTask(high.id)]);
        const done = await Promise.all(busy.map((t) => queue.waitForTask(t.id)));
        expect(done.map((t) => t.state)).to.deep.equal(Array(8).fill('SUCCESS'));
        expect(h.startedAt).to.be.at.most(l.startedAt!);
      } finally {
        rmSync(release, { force: true });
      }
    });

    it('should retry with backoff until an attempt succeeds', async () => {
      const w = watch();
      const task = await queue.queueTask('flaky', [3]);
      const done = await queue.waitForTask(task.id);
      w.stop();
      expect(done).to.include({ state: 'SUCCESS', result: 3, attempts: 3 });
      expect(w.states(task.id)).to.deep.equal([
        'PENDING',
        'STARTED',
        'RETRY',
        'STARTED',
        'RETRY',
        'STARTED',
        'SUCCESS',
      ]);
    });

    it('should fail once the retries are spent', async () => {
      const task = await queue.queueTask('flaky', [10], { retries: 1 });
      const done = await queue.waitForTask(task.id);
      expect(done).to.include({ state: 'FAILURE', attempts: 2 });
      expect(done.error?.message).to.equal('attempt 2 failed');
    });

    it('should abort the signal of a task past its timeout, then retry or fail it', async () => {
      const task = await queue.queueTask('sleep', [20_000], { timeout: 200 });
      const done = await within(queue.waitForTask(task.id), 10_000, 'timed out');
      expect(done.state).to.equal('FAILURE');
      expect(done.error).to.include({ code: 'RXP_ERR_TASK_TIMEOUT' });
    });

    it("should count the timeout of a task waiting in its worker's line from its start", async () => {
      // Both workers ready and idle (2 × 2 running, 2 × 2 next in line)…
      const embedded = (): EmbeddedBackend => queue.backend as EmbeddedBackend;
      await waitFor(() => embedded().dispatcher.free === 8, 10_000, 'two idle workers');
      // …4 busy tasks, then 4 that wait in the workers' lines (3 s: longer
      // than their timeout, which a busy machine's worker has room to meet
      // once they start).
      const busy = await Promise.all(
        [0, 1, 2, 3].map((i) => queue.queueTask('label', [`busy${i}`, 3000])),
      );
      const waiting = await Promise.all(
        [0, 1, 2, 3].map((i) => queue.queueTask('label', [`w${i}`, 50], { timeout: 2000 })),
      );
      const done = await Promise.all(waiting.map((t) => queue.waitForTask(t.id)));
      await Promise.all(busy.map((t) => queue.waitForTask(t.id)));
      expect(done.map((t) => t.state)).to.deep.equal(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
      expect(done.map((t) => t.attempts)).to.deep.equal([1, 1, 1, 1]);
    });

    it('should run a job that holds the CPU once (the heartbeat deadline is long)', async () => {
      expect(queue.cfg['timeout']).to.equal(600_000);
      const done = await queue.waitForTask((await queue.queueTask('block', [2500])).id);
      expect(done).to.include({ state: 'SUCCESS', result: 1, attempts: 1 });
    });

    it('should let a task chain tasks (ctx.queueTask)', async () => {
      const task = await queue.queueTask('chain', [41]);
      const done = await queue.waitForTask(task.id);
      const next = await queue.waitForTask(done.result as string);
      expect(next.result).to.equal(42);
    });

    it('should give a task queued with durable: false back at once, journal it and run it', async () => {
      const tasks = await Promise.all(
        [1, 2, 3].map((n) => queue.queueTask('add', [n, 1], { durable: false })),
      );
      const done = await Promise.all(tasks.map((t) => queue.waitForTask(t.id)));
      expect(done.map((t) => t.result)).to.deep.equal([2, 3, 4]);
      const journal = readFileSync(join(dataDir('spec-tasks'), 'tasks.journal'), 'utf8');
      for (const t of tasks) expect(journal).to.include(t.id);
    });

    it('should fail a task whose result cannot travel', async () => {
      const done = await queue.waitForTask((await queue.queueTask('unencodable')).id);
      expect(done.state).to.equal('FAILURE');
      expect(done.error?.code).to.equal('RXP_ERR_ENCODING');
    });

    it('should refuse bad input with a clear error and queue nothing', async () => {
      const before = queue.backend!.counts();
      const unknown = await rejection(queue.queueTask('nope'));
      expect(unknown).to.be.instanceOf(UnknownJobError);
      expect(unknown.message).to.match(/no job "nope".*add/);
      expect(await rejection(queue.queueTask('add', [Symbol('x')]))).to.be.instanceOf(
        EncodingError,
      );
      const delay = await rejection(queue.queueTask('add', [], { delay: 'soon' }));
      expect(delay).to.be.instanceOf(TaskOptionError);
      expect(delay.message).to.match(/delay = "soon".*duration/);
      const option = await rejection(queue.queueTask('add', [], { later: 1 } as never));
      expect(option.message).to.match(/unknown option "later"/);
      expect(await rejection(queue.queueTask('add', [], { retries: -1 }))).to.be.instanceOf(
        TaskOptionError,
      );
      expect(queue.backend!.counts()).to.deep.equal(before);
    });
  });

  describe('revokeTask()', () => {
    it('should revoke a pending task before it runs', async () => {
      const task = await queue.queueTask('add', [1, 1], { delay: 5000 });
      const revoked = await queue.revokeTask(task.id);
      expect(revoked).to.include({ state: 'REVOKED', attempts: 0 });
      expect((await queue.waitForTask(task.id)).error?.code).to.equal('RXP_ERR_TASK_REVOKED');
    });

    it('should abort the signal of a running task and ignore its late report', async () => {
      const w = watch();
      const task = await queue.queueTask('sleep', [20_000]);
      await waitFor(() => w.last(task.id)?.progress !== undefined, 10_000, 'task started');
      const pid = (w.last(task.id)!.progress as { pid: number }).pid;
      expect((await queue.revokeTask(task.id))?.state).to.equal('REVOKED');
      await new Promise((r) => setTimeout(r, 300));
      w.stop();
      expect((await queue.getTask(task.id))?.state).to.equal('REVOKED');
      expect(alive(pid), 'the worker stays').to.equal(true);
    });

    it('should replace a worker whose task ignores its signal past the grace', async () => {
      const w = watch();
      const task = await queue.queueTask('stubborn', [60_000]);
      await waitFor(() => w.last(task.id)?.progress !== undefined, 10_000, 'task started');
      const pid = (w.last(task.id)!.progress as { pid: number }).pid;
      await queue.revokeTask(task.id);
      await waitFor(() => !alive(pid), 10_000, 'the stubborn worker replaced');
      w.stop();
      await waitFor(() => queue.monitor!.managedActors.length === 2, 20_000, 'pool healed');
      expect((await queue.getTask(task.id))?.state).to.equal('REVOKED');
    });
  });

  describe('task$', () => {
    it('should forward every state change to any actor that subscribes', async () => {
      const states: string[] = [];
      const id = 'forwarded';
      const sub = tasks('spec-tasks').task$.subscribe((t) => {
        if (t.id === id) states.push(t.state);
      });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the subscription travels
      await queue.queueTask('add', [1, 2], { id });
      await queue.waitForTask(id);
      await waitFor(() => states.includes('SUCCESS'), 5000, 'forwarded SUCCESS');
      sub.unsubscribe();
      expect(states).to.deep.equal(['PENDING', 'STARTED', 'SUCCESS']);
    });
  });

  describe('with worker threads', () => {
    before(async () => {
      rmSync(dataDir('spec-threads'), { recursive: true, force: true });
      await threads.start();
    });

    after(async () => {
      await threads.stop();
      rmSync(dataDir('spec-threads'), { recursive: true, force: true });
    });

    it('should run tasks on thread workers and drop results after resultTtl', async () => {
      const done = await threads.waitForTask((await threads.queueTask('pid')).id);
      expect(done).to.include({ state: 'SUCCESS', result: process.pid });
      await waitFor(() => threads.backend!.counts()['SUCCESS'] === undefined, 10_000, 'expired');
      expect(await threads.getTask(done.id)).to.equal(undefined);
    });
  });

  describe('from any actor', () => {
    it('should queue and wait through send() and tasks()', async () => {
      const task = (await a.send('spec-tasks', 'queue_task', 'add', [5, 6])) as Task;
      const done = await tasks('spec-tasks').waitForTask(task.id);
      expect(done.result).to.equal(11);
      const proxy = queue.monitor!.managedActors[0]!;
      const fromWorker = (await proxy.send(
        'run',
        async (actor: { send(t: string, c: string, ...x: unknown[]): PromiseLike<unknown> }) => {
          const t = (await actor.send('spec-tasks', 'queue_task', 'add', [1, 1])) as { id: string };
          return actor.send('spec-tasks', 'wait_task', t.id, 5000);
        },
      )) as Task;
      expect(fromWorker.result).to.equal(2);
    });
  });
});
