import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TaskJournal } from '../../../lib/apps/tasks/TaskJournal.js';

const entry = (id: string, state: string, extra: Record<string, unknown> = {}): unknown => ({
  task: { id, name: 'add', args: [1, new Date(0)], state, ...extra },
  token: 1,
});

describe('TaskJournal', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-journal-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('load()', () => {
    it('should replay the last record of every task, deletions and ticks', async () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'task', v: entry('a', 'PENDING') });
      j.append({ t: 'task', v: entry('b', 'PENDING') });
      j.append({ t: 'task', v: entry('a', 'SUCCESS', { result: 3 }) });
      j.append({ t: 'del', id: 'b' });
      j.append({ t: 'tick', job: 'tick', at: 1000 });
      await j.synced();
      j.close();
      const state = new TaskJournal(dir).load();
      expect([...state.tasks.keys()]).to.deep.equal(['a']);
      const a = state.tasks.get('a') as { task: { state: string; args: unknown[] } };
      expect(a.task.state).to.equal('SUCCESS');
      expect(a.task.args[1]).to.be.instanceOf(Date); // through the codec
      expect(state.ticks.get('tick')).to.equal(1000);
      expect(state.records).to.equal(5);
    });

    it('should apply start and ok records to the last entry of their task', async () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'task', v: entry('a', 'PENDING', { attempts: 0, runAt: 5 }) });
      j.append({ t: 'task', v: entry('b', 'PENDING', { attempts: 0 }) });
      j.append({ t: 'start', id: 'a', token: 2, n: 1, at: 10 });
      j.append({ t: 'ok', id: 'a', r: new Date(7), at: 20, p: { done: new Date(8) } });
      j.append({ t: 'start', id: 'b', token: 5, n: 3, at: 30 });
      j.append({ t: 'ok', id: 'gone', r: 1, at: 40 }); // deleted meanwhile: nothing to apply
      await j.synced();
      j.close();
      const reader = new TaskJournal(dir);
      const state = reader.load();
      reader.close();
      expect([...state.tasks.keys()]).to.deep.equal(['a', 'b']);
      const a = state.tasks.get('a') as { token: number; task: Record<string, unknown> };
      expect(a.token).to.equal(2);
      expect(a.task).to.include({ state: 'SUCCESS', attempts: 1, startedAt: 10, endedAt: 20 });
      expect(a.task['result']).to.be.instanceOf(Date); // through the codec
      // Its last progress, reported since its last whole entry, kept.
      expect((a.task['progress'] as { done: unknown }).done).to.be.instanceOf(Date);
      expect(a.task).not.to.have.property('runAt');
      const b = state.tasks.get('b') as { token: number; task: Record<string, unknown> };
      expect(b.token).to.equal(5);
      expect(b.task).to.include({ state: 'STARTED', attempts: 3, startedAt: 30 });
      expect(state.records).to.equal(6);
    });

    it('should skip a torn last line (a crash mid-write)', () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'task', v: entry('a', 'PENDING') });
      j.close();
      appendFileSync(j.path, '{"t":"task","v":{"task":{"id":"b"');
      const state = new TaskJournal(dir).load();
      expect([...state.tasks.keys()]).to.deep.equal(['a']);
    });

    it('should leave alone a line that is no record, or a record of an unknown kind', () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'tick', job: 'tick', at: 1000 });
      j.close();
      appendFileSync(j.path, 'null\n7\n{"t":"later","job":"x","at":5}\n');
      const reader = new TaskJournal(dir);
      const state = reader.load();
      reader.close();
      expect([...state.ticks]).to.deep.equal([['tick', 1000]]);
    });
  });

  describe('synced()', () => {
    it('should fire once the batch is written', async () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'task', v: entry('a', 'PENDING') });
      expect(readFileSync(j.path, 'utf8')).to.equal('');
      await j.synced();
      expect(readFileSync(j.path, 'utf8').split('\n')).to.have.length(2);
      j.close();
    });

    it('should fire producers that come during an fdatasync with the next one', async () => {
      const j = new TaskJournal(dir);
      j.load();
      const fired: number[] = [];
      const waits: Promise<void>[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 20; i++) {
          j.append({ t: 'task', v: entry(`t${round}-${i}`, 'PENDING') });
          const n = round * 20 + i;
          waits.push(j.synced().then(() => void fired.push(n)));
        }
        await new Promise((resolve) => setImmediate(resolve)); // written; its sync may run
      }
      await Promise.all(waits);
      expect(fired).to.have.length(100);
      expect(readFileSync(j.path, 'utf8').trim().split('\n')).to.have.length(100);
      await j.synced(); // nothing left: at once
      j.close();
      expect(new TaskJournal(dir).load().tasks.size).to.equal(100);
    });

    it('should fire the waiters of a running fdatasync when it closes', async () => {
      const j = new TaskJournal(dir);
      j.load();
      j.append({ t: 'task', v: entry('a', 'PENDING') });
      const first = j.synced();
      await new Promise((resolve) => setImmediate(resolve));
      const second = j.synced(); // the first fdatasync may be running
      j.close();
      await Promise.all([first, second]);
      expect(new TaskJournal(dir).load().tasks.size).to.equal(1);
    });
  });

  describe('compact()', () => {
    it('should rewrite the journal with the live records only', async () => {
      const j = new TaskJournal(dir);
      j.load();
      for (let i = 0; i < 100; i++)
        j.append({ t: 'task', v: entry('a', i < 99 ? 'STARTED' : 'SUCCESS') });
      await j.synced();
      j.compact([
        { t: 'task', v: entry('a', 'SUCCESS') },
        { t: 'tick', job: 'tick', at: 5 },
      ]);
      expect(j.records).to.equal(2);
      j.append({ t: 'task', v: entry('b', 'PENDING') });
      j.close();
      expect(readFileSync(j.path, 'utf8').trim().split('\n')).to.have.length(3);
      const state = new TaskJournal(dir).load();
      expect([...state.tasks.keys()].sort()).to.deep.equal(['a', 'b']);
      expect(state.ticks.get('tick')).to.equal(5);
    });
  });
});
