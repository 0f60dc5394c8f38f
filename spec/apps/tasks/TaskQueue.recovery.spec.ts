import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { arbiter, decode, type Arbiter, type Task } from '../../../lib/index.js';
import { chaos, dataDir, recovery as queue } from '../../fixtures/tasks/app.js';
import { waitFor, within } from '../../support/waiting.js';

/** The last journaled state of every task. */
function journaled(dir: string): Map<string, Task> {
  const tasks = new Map<string, Task>();
  for (const line of readFileSync(join(dir, 'tasks.journal'), 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as { t: string; v?: unknown; id?: string };
    if (record.t === 'task') {
      const entry = decode(record.v) as { task: Task };
      tasks.set(entry.task.id, entry.task);
    } else if (record.t === 'del') tasks.delete(record.id!);
    // What changed for the commonest moves: STARTED, and SUCCESS with its result.
    else if (record.t === 'start') tasks.get(record.id!)!.state = 'STARTED';
    else if (record.t === 'ok') {
      const task = tasks.get(record.id!)!;
      task.state = 'SUCCESS';
      task.result = decode((record as { r?: unknown }).r);
    }
  }
  return tasks;
}

describe('TaskQueue', () => {
  let a: Arbiter;

  before(() => {
    for (const name of ['spec-recovery', 'spec-chaos'])
      rmSync(dataDir(name), { recursive: true, force: true });
    a = arbiter({ signals: false });
  });

  after(async () => {
    await a.stop();
    for (const name of ['spec-recovery', 'spec-chaos'])
      rmSync(dataDir(name), { recursive: true, force: true });
  });

  describe('a worker that dies', () => {
    before(async () => {
      await queue.start();
    });

    after(async () => {
      await queue.stop();
    });

    it('should put its task back at once, and the task runs again', async () => {
      const seen: Task[] = [];
      const sub = queue.task$.subscribe((t) => seen.push(t));
      const task = await queue.queueTask('sleep', [800]);
      await waitFor(
        () => seen.some((t) => t.id === task.id && t.progress !== undefined),
        10_000,
        'started',
      );
      const pid = (
        seen.find((t) => t.id === task.id && t.progress !== undefined)!.progress as { pid: number }
      ).pid;
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => seen.some((t) => t.id === task.id && t.state === 'PENDING' && t.attempts === 1),
        10_000,
        'requeued',
      );
      const requeuedAt = Date.now();
      const done = await within(queue.waitForTask(task.id), 15_000, 'done');
      sub.unsubscribe();
      expect(done).to.include({ state: 'SUCCESS', attempts: 2 });
      expect(done.result).to.not.equal(pid);
      // Not a lease: the monitor saw the exit (logged, not asserted: timing is noisy here).
      console.log(`      requeued ${requeuedAt - killedAt} ms after SIGKILL`);
    });

    it('should fail a task that kills its worker maxDeaths times', async () => {
      const task = await queue.queueTask('poison');
      const done = await within(queue.waitForTask(task.id), 30_000, 'poison task failed');
      expect(done).to.include({ state: 'FAILURE', attempts: 3 });
      expect(done.error).to.include({ name: 'WorkerLostError', code: 'RXP_ERR_WORKER_LOST' });
      expect(done.error?.message).to.match(/3 workers that died/);
      await waitFor(() => queue.monitor!.managedActors.length === 2, 20_000, 'pool healed');
    });
  });

  describe('chaos', () => {
    before(async () => {
      await chaos.start();
    });

    after(async () => {
      await chaos.stop();
    });

    it('should bring every task to SUCCESS while workers are SIGKILLed every second', async function () {
      this.timeout(60_000);
      const n = 2000;
      let kills = 0;
      const killer = setInterval(() => {
        const workers = chaos.monitor!.managedActors.filter((p) => p.pid !== undefined);
        const victim = workers[Math.floor(Math.random() * workers.length)];
        if (victim?.pid === undefined || kills >= 8) return;
        kills++;
        try {
          process.kill(victim.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 1000);
      try {
        const queued = await Promise.all(
          Array.from({ length: n }, (_, i) => chaos.queueTask('work', [i], { id: `c${i}` })),
        );
        const done = await within(
          Promise.all(queued.map((t) => chaos.waitForTask(t.id))),
          45_000,
          'every chaos task done',
        );
        expect(done.filter((t) => t.state === 'SUCCESS')).to.have.length(n);
        done.forEach((t, i) => expect(t.result).to.equal(i * 2));
      } finally {
        clearInterval(killer);
      }
      console.log(`      ${kills} workers SIGKILLed`);
      // The last batch reaches the journal after its tasks ended (a busy
      // disk may take a while): read it again until it holds them.
      const ours = (): Task[] =>
        [...journaled(dataDir('spec-chaos')).values()].filter((t) => t.id.startsWith('c'));
      const deadline = Date.now() + 10_000;
      while (ours().some((t) => t.state !== 'SUCCESS') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ours()).to.have.length(n);
      expect(ours().every((t) => t.state === 'SUCCESS')).to.equal(true);
    });
  });
});
