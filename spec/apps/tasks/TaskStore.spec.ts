import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CheckedTask } from '../../../lib/apps/tasks/checkTask.js';
import { TaskJournal } from '../../../lib/apps/tasks/TaskJournal.js';
import { TaskStore, type Entry } from '../../../lib/apps/tasks/TaskStore.js';

const call = (id: string): CheckedTask => ({
  name: 'add',
  args: [1, 2],
  delay: 0,
  timeout: undefined,
  retries: 0,
  priority: 0,
  id,
  durable: false,
});

describe('TaskStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-store-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What a journal replays: the tasks, as a new store would restore them. */
  function replayed(): Map<string, Entry> {
    const journal = new TaskJournal(dir);
    const { tasks } = journal.load();
    journal.close();
    return tasks as Map<string, Entry>;
  }

  describe('succeed()', () => {
    it('should journal SUCCESS with its result, time and last progress, replayed as the store had it', () => {
      const journal = new TaskJournal(dir);
      journal.load();
      const store = new TaskStore(journal);
      store.add(call('a'));
      const entry = store.next()!;
      entry.task.progress = { step: 2 }; // as a worker's task_progress sets it: not journaled
      store.succeed(entry, 3);
      journal.close();
      const a = replayed().get('a')!;
      expect(a.token).to.equal(entry.token);
      expect(a.task).to.deep.equal(entry.task);
      expect(a.task).to.deep.include({ state: 'SUCCESS', result: 3, progress: { step: 2 } });
    });
  });
});
