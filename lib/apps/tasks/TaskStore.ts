/**
 * The embedded queue's state: every task by id, the ready heap (priority,
 * then order), the delayed heap (by time), each transition journaled and
 * emitted on `task$`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Subject } from '../../rx.js';
import { serializeError } from '../../codec/serializeError.js';
import type { SerializedError } from '../../codec/SerializedError.js';
import type { CheckedTask } from './checkTask.js';
import { Heap } from './Heap.js';
import type { JournalRecord, TaskJournal } from './TaskJournal.js';
import { FINAL_STATES, type Task, type TaskState } from './Task.js';

/** A task and what the queue keeps about it. */
export interface Entry {
  task: Task;
  /** The fencing token of its latest attempt. */
  token: number;
  /** Workers it was running on that died. */
  deaths: number;
  /** Attempts that failed (the retries count them). */
  failures: number;
  timeout: number | undefined;
  retries: number;
  /** Order among equal priorities; changes when it is requeued. */
  seq: number;
}

interface Ready {
  entry: Entry;
  seq: number;
}

/**
 * The tasks of an embedded queue.
 *
 * @example
 * ```ts
 * const store = new TaskStore(journal);
 * const task = store.add(checked);
 * const entry = store.next(); // the highest priority ready task, now STARTED
 * ```
 */
export class TaskStore {
  /** Every state change. */
  readonly changes = new Subject<Task>();
  readonly entries = new Map<string, Entry>();
  private readonly ready = new Heap<Ready>((a, b) =>
    a.entry.task.priority !== b.entry.task.priority
      ? a.entry.task.priority > b.entry.task.priority
      : a.seq < b.seq,
  );
  private readonly delayed = new Heap<{ at: number; entry: Entry; seq: number }>(
    (a, b) => a.at < b.at,
  );
  private seq = 0;
  /** Tasks by state, kept as they move (`counts()` reads it, however many tasks). */
  private readonly states = new Map<TaskState, number>();

  /** @param journal - where every transition is appended. */
  constructor(private readonly journal: TaskJournal) {}

  /** Tasks ready to run now (some heap entries may be stale). */
  get readyCount(): number {
    return this.ready.size;
  }

  /**
   * Put back a task read from the journal: a task that was running is queued again.
   * @param entry - as journaled.
   */
  restore(entry: Entry): void {
    this.entries.set(entry.task.id, entry);
    this.count(entry.task.state, 1);
    if (entry.task.state === 'STARTED') {
      this.setState(entry, 'PENDING');
      this.write(entry);
    }
    if (!FINAL_STATES.has(entry.task.state)) this.enqueue(entry);
  }

  /**
   * Queue a checked call; an id already known gives its task back.
   * @param c - the call.
   * @returns the entry, and whether it is new.
   */
  add(c: CheckedTask): { entry: Entry; created: boolean } {
    const known = c.id === undefined ? undefined : this.entries.get(c.id);
    if (known !== undefined) return { entry: known, created: false };
    const now = Date.now();
    const task: Task = {
      id: c.id ?? randomUUID(),
      name: c.name,
      args: c.args,
      state: 'PENDING',
      attempts: 0,
      priority: c.priority,
      queuedAt: now,
    };
    if (c.delay > 0) task.runAt = now + c.delay;
    const entry: Entry = {
      task,
      token: 0,
      deaths: 0,
      failures: 0,
      timeout: c.timeout,
      retries: c.retries,
      seq: 0,
    };
    this.entries.set(task.id, entry);
    this.count('PENDING', 1);
    this.enqueue(entry);
    this.changed(entry);
    return { entry, created: true };
  }

  /**
   * Start the next ready task: a new token, one more attempt.
   * @returns its entry, or `undefined` when none is ready.
   */
  next(): Entry | undefined {
    for (let r = this.ready.pop(); r !== undefined; r = this.ready.pop()) {
      const { entry } = r;
      if (r.seq !== entry.seq || !runnable(entry.task.state)) continue;
      const task = entry.task;
      entry.token++;
      task.attempts++;
      this.setState(entry, 'STARTED');
      const at = (task.startedAt = Date.now());
      delete task.runAt;
      // What changed, not the whole entry: a quarter of the CPU.
      this.journal.append({ t: 'start', id: task.id, token: entry.token, n: task.attempts, at });
      this.emit(entry);
      return entry;
    }
    return undefined;
  }

  /** Move delayed tasks whose time came to the ready heap. @returns ms until the next one, or undefined. */
  promote(): number | undefined {
    const now = Date.now();
    for (let d = this.delayed.peek(); d !== undefined; d = this.delayed.peek()) {
      if (d.seq !== d.entry.seq || !runnable(d.entry.task.state)) {
        this.delayed.pop();
        continue;
      }
      if (d.at > now) return d.at - now;
      this.delayed.pop();
      this.ready.push({ entry: d.entry, seq: d.entry.seq });
    }
    return undefined;
  }

  /**
   * Move a task to a new state and journal it.
   * @param entry - the task.
   * @param state - its new state.
   * @param fields - result, error, runAt…
   */
  move(entry: Entry, state: TaskState, fields: Partial<Task> = {}): void {
    Object.assign(entry.task, fields);
    this.setState(entry, state);
    if (FINAL_STATES.has(state)) {
      entry.task.endedAt = Date.now();
      delete entry.task.runAt;
    } else this.enqueue(entry);
    this.changed(entry);
  }

  /**
   * A running task succeeded: SUCCESS with its result, journaled as what
   * changed, not the whole entry (the commonest move, with STARTED).
   * @param entry - the task.
   * @param result - what its job returned.
   */
  succeed(entry: Entry, result: unknown): void {
    const task = entry.task;
    task.result = result;
    this.setState(entry, 'SUCCESS');
    const at = (task.endedAt = Date.now());
    delete task.runAt;
    // Its progress too: reported since the last whole entry, it is in no record yet.
    this.journal.append({ t: 'ok', id: task.id, r: result, at, p: task.progress });
    this.emit(entry);
  }

  /**
   * Fail an attempt: RETRY after `delay` if retries are left, else FAILURE.
   * @param entry - the task.
   * @param error - why.
   * @param delay - the backoff of the next retry (ms).
   */
  fail(entry: Entry, error: unknown, delay: number): void {
    entry.failures++;
    const serialized: SerializedError = isSerialized(error) ? error : serializeError(error);
    if (entry.failures <= entry.retries) {
      this.move(entry, 'RETRY', { error: serialized, runAt: Date.now() + delay });
    } else this.move(entry, 'FAILURE', { error: serialized });
  }

  /** Drop final tasks that ended before `before`. @returns how many. */
  expire(before: number): number {
    let n = 0;
    for (const [id, entry] of this.entries) {
      const ended = entry.task.endedAt;
      if (ended !== undefined && ended < before && FINAL_STATES.has(entry.task.state)) {
        this.entries.delete(id);
        this.count(entry.task.state, -1);
        this.journal.append({ t: 'del', id });
        n++;
      }
    }
    return n;
  }

  /** @returns how many tasks are in each state (states with none left out). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.states);
  }

  /** @returns the journal records of the live state (for compaction). */
  *snapshot(): Iterable<JournalRecord> {
    for (const entry of this.entries.values()) yield { t: 'task', v: entry };
  }

  /** Journal and emit the entry's current state. @param entry - the task. */
  changed(entry: Entry): void {
    this.write(entry);
    this.emit(entry);
  }

  private emit(entry: Entry): void {
    if (this.changes.observed) this.changes.next({ ...entry.task }); // a copy only for listeners
  }

  private setState(entry: Entry, state: TaskState): void {
    this.count(entry.task.state, -1);
    entry.task.state = state;
    this.count(state, 1);
  }

  private count(state: TaskState, delta: number): void {
    const n = (this.states.get(state) ?? 0) + delta;
    if (n > 0) this.states.set(state, n);
    else this.states.delete(state);
  }

  private write(entry: Entry): void {
    this.journal.append({ t: 'task', v: entry });
  }

  private enqueue(entry: Entry): void {
    entry.seq = ++this.seq;
    const at = entry.task.runAt;
    if (at !== undefined && at > Date.now()) this.delayed.push({ at, entry, seq: entry.seq });
    else this.ready.push({ entry, seq: entry.seq });
  }
}

function runnable(state: TaskState): boolean {
  return state === 'PENDING' || state === 'RETRY';
}

function isSerialized(e: unknown): e is SerializedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    !(e instanceof Error) &&
    typeof (e as SerializedError).name === 'string' &&
    typeof (e as SerializedError).message === 'string'
  );
}
