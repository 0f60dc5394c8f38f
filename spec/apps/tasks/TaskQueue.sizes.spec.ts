/**
 * A task's arguments travel to a worker in one message: arguments too large
 * for it are refused by queueTask(), and an attempt that cannot be sent
 * anyway (a task of an older journal, a retry carrying a large error) ends
 * in FAILURE instead of holding its worker's credit for ever.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { arbiter, MessageTooLargeError, type Arbiter } from '../../../lib/index.js';
import { checkTask } from '../../../lib/apps/tasks/checkTask.js';
import type { EmbeddedBackend } from '../../../lib/apps/tasks/EmbeddedBackend.js';
import { TaskJournal } from '../../../lib/apps/tasks/TaskJournal.js';
import { TaskStore } from '../../../lib/apps/tasks/TaskStore.js';
import { dataDir, sized as queue } from '../../fixtures/tasks/app.js';
import { rejection, waitFor, within } from '../../support/waiting.js';

const MAX = 65536;
const dir = dataDir('spec-sized');
const journalPath = join(dir, 'tasks.journal');
const embedded = (): EmbeddedBackend => queue.backend as EmbeddedBackend;

/** Credits of 2 workers × concurrentTasks 2 × prefetch 2: every one free again. */
const idle = (): Promise<void> =>
  waitFor(() => embedded().dispatcher.free === 8, 15_000, 'every credit free');

describe('TaskQueue', () => {
  let a: Arbiter;

  before(async () => {
    rmSync(dir, { recursive: true, force: true });
    // The journal an older version left: a task queued with arguments too
    // large for a message (it checked none), still pending.
    const journal = new TaskJournal(dir);
    journal.load();
    new TaskStore(journal).add(checkTask(undefined, 'label', ['x'.repeat(100_000)], { id: 'old' }));
    journal.close();
    a = arbiter({ signals: false, maxMessageSize: MAX });
    await queue.start();
  });

  after(async () => {
    await queue.stop();
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('arguments too large for a message to a worker', () => {
    it('should fail a journaled task that cannot be sent, and keep serving', async () => {
      const old = await within(queue.waitForTask('old'), 15_000, 'the old task ended');
      expect(old).to.include({ state: 'FAILURE', attempts: 1 });
      expect(old.error).to.include({ name: 'MessageTooLargeError' });
      expect(old.error?.message).to.match(/over maxMessageSize \(65536\)/);
      await idle();
      const task = await queue.queueTask('add', [1, 2]);
      expect(await within(queue.waitForTask(task.id), 15_000, 'add ran')).to.include({
        state: 'SUCCESS',
        result: 3,
      });
    });

    it('should be refused by queueTask() with MessageTooLargeError, queuing nothing', async () => {
      const before = queue.backend!.counts();
      const size = statSync(journalPath).size;
      // More than the workers have credits: none is held by a refused task.
      for (let i = 0; i < 12; i++) {
        const err = await rejection(queue.queueTask('label', ['x'.repeat(100_000)]));
        expect(err).to.be.instanceOf(MessageTooLargeError);
        expect(err.message).to.match(/task "label": its arguments take 100004 characters/);
        expect(err.message).to.match(/maxMessageSize 65536/);
      }
      expect(queue.backend!.counts()).to.deep.equal(before);
      expect(embedded().dispatcher.free).to.equal(8);
      const task = await queue.queueTask('add', [2, 2]);
      expect((await within(queue.waitForTask(task.id), 15_000, 'add ran')).result).to.equal(4);
      // Journaled: the add and its moves, none of the large arguments.
      expect(statSync(journalPath).size - size).to.be.below(10_000);
      expect(readFileSync(journalPath, 'utf8')).to.include(task.id);
    });

    it('should take arguments that fit, with room for the rest of the message', async () => {
      const task = await queue.queueTask('label', ['y'.repeat(MAX - 2000)]);
      const done = await within(queue.waitForTask(task.id), 15_000, 'label ran');
      expect(done.state).to.equal('SUCCESS');
      expect((done.result as string).length).to.equal(MAX - 2000);
    });

    it('should fail a retry that its previous error makes too large, and free its credit', async () => {
      // 'fail' throws a TypeError of its argument: the retry carries that
      // error (message and stack) with the same argument, over the limit.
      const big = 'z'.repeat(25_000);
      const task = await queue.queueTask('fail', [big], { retries: 1 });
      const done = await within(queue.waitForTask(task.id), 15_000, 'the retry ended');
      expect(done).to.include({ state: 'FAILURE', attempts: 2 });
      expect(done.error).to.include({ name: 'MessageTooLargeError' });
      await idle();
      const next = await queue.queueTask('add', [3, 3]);
      expect((await within(queue.waitForTask(next.id), 15_000, 'add ran')).result).to.equal(6);
    });
  });
});
