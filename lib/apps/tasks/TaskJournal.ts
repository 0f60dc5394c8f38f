/**
 * The embedded backend's journal: every transition appended, as one JSON
 * line, to `<dataDir>/tasks.journal`; written once per batch (all the
 * transitions of one turn of the event loop) and fdatasync'd before the
 * producers of that batch hear back (other transitions: within 100 ms). The
 * fdatasync runs off the event loop (libuv's pool): producers that come
 * while one runs share the next one (a group commit), and dispatching goes
 * on meanwhile. Compacted (rewritten with the live tasks only, then renamed
 * into place) when it holds many more records than live tasks.
 * @module
 */
import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decode } from '../../codec/decode.js';
import { encode } from '../../codec/encode.js';

/** Longest a transition nobody waits on stays written but not fdatasync'd, in ms. */
export const SYNC_EVERY = 100;

/** Told once what was appended before it is on disk. */
export interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * One line of the journal: a task's whole entry (`task`), or what changed
 * for the two commonest moves, which replay applies to the task's last
 * entry (`start`: STARTED, its token, attempts and time; `ok`: SUCCESS, its
 * result and time, and its last progress if the job reported one: it is
 * in no other record). The whole entry costs about four times as much CPU
 * (`encode()` and `JSON.stringify` of about 300 characters a line).
 */
export type JournalRecord =
  | { t: 'task'; v: unknown }
  | { t: 'start'; id: string; token: number; n: number; at: number }
  | { t: 'ok'; id: string; r: unknown; at: number; p?: unknown }
  | { t: 'del'; id: string }
  | { t: 'tick'; job: string; at: number };

/** What a `start` or `ok` record changes in a task's entry (as the store keeps it). */
interface Replayed {
  token: number;
  task: Record<string, unknown>;
}

/** What replaying a journal gives. */
export interface JournalState {
  /** The last record of every task (its entry: the task and what the queue keeps), decoded. */
  tasks: Map<string, unknown>;
  /** The last tick queued of every periodic job. */
  ticks: Map<string, number>;
  /** Lines read (a torn last line, from a crash mid-write, is skipped). */
  records: number;
}

/**
 * An append-only, batched, fsync'd journal.
 *
 * @example
 * ```ts
 * const j = new TaskJournal('/var/lib/app');
 * const { tasks } = j.load();
 * j.append({ t: 'del', id: 'x' });
 * await j.synced();
 * ```
 */
export class TaskJournal {
  /** The journal file. */
  readonly path: string;
  /** Records appended since the file was last compacted (or loaded). */
  records = 0;
  private fd: number | undefined;
  private pending: string[] = [];
  /** Producers waiting for what was appended before them to be fdatasync'd. */
  private waiters: Waiter[] = [];
  /** Those the running fdatasync covers. */
  private inflight: Waiter[] | undefined;
  /** Bumped when the file is reopened (compacted) or closed. */
  private generation = 0;
  private scheduled = false;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;

  /** @param dir - the data folder (created if missing). */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'tasks.journal');
  }

  /** Replay the journal, then open it for appending. */
  load(): JournalState {
    const state: JournalState = { tasks: new Map(), ticks: new Map(), records: 0 };
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (line === '') continue;
        let record: JournalRecord;
        try {
          record = JSON.parse(line) as JournalRecord;
        } catch {
          continue; // a torn last line
        }
        if (typeof record !== 'object' || record === null) continue; // not a record
        state.records++;
        if (record.t === 'task') {
          const entry = decode(record.v) as { task: { id: string } };
          state.tasks.set(entry.task.id, entry);
        } else if (record.t === 'start' || record.t === 'ok') {
          const entry = state.tasks.get(record.id) as Replayed | undefined;
          if (entry !== undefined) replay(entry, record);
        } else if (record.t === 'del') state.tasks.delete(record.id);
        else if (record.t === 'tick') state.ticks.set(record.job, record.at);
        // Another kind (a later version's) is left alone, not taken for a tick.
      }
    }
    this.records = state.records;
    this.fd = openSync(this.path, 'a');
    return state;
  }

  /** @param record - appended with the next batch. */
  append(record: JournalRecord): void {
    this.pending.push(JSON.stringify(encoded(record)));
    this.records++;
    this.schedule();
  }

  /**
   * @returns a promise fired once everything appended so far is on disk
   *   (rejected if the fdatasync fails).
   */
  synced(): Promise<void> {
    return new Promise((resolve, reject) => this.onSynced({ resolve, reject }));
  }

  /**
   * `synced()` without a promise: `waiter.resolve()` once everything
   * appended so far is on disk (at once if it is), `waiter.reject(err)` if
   * the fdatasync fails.
   * @param waiter - told once.
   */
  onSynced(waiter: Waiter): void {
    const idle = this.pending.length === 0 && !this.scheduled;
    if (idle && (!this.dirty || this.fd === undefined)) {
      if (this.inflight === undefined) waiter.resolve();
      else this.inflight.push(waiter);
      return;
    }
    this.waiters.push(waiter);
    if (idle) this.startSync(); // written, not yet synced
  }

  /**
   * Write the pending records now (into the OS: a crash of this process
   * loses nothing written); fdatasync them when a producer waits on
   * `synced()`, else within {@link SYNC_EVERY} ms.
   * @param force - fdatasync now, on this thread, in any case.
   */
  flush(force = false): void {
    this.scheduled = false;
    if (this.pending.length > 0 && this.fd !== undefined) {
      const data = `${this.pending.join('\n')}\n`;
      this.pending = [];
      writeSync(this.fd, data);
      this.dirty = true;
    }
    if (force) {
      this.sync(this.inflight !== undefined);
      const waiters = [...(this.inflight ?? []), ...this.waiters];
      this.inflight = undefined;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    } else if (this.waiters.length > 0) this.startSync();
    else if (this.dirty && this.fd !== undefined) {
      this.syncTimer ??= setTimeout(() => this.startSync(), SYNC_EVERY).unref();
    }
  }

  /**
   * Rewrite the journal with these records only (the live state), atomically.
   * @param records - the live tasks and ticks.
   */
  compact(records: Iterable<JournalRecord>): void {
    this.flush(true);
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    let count = 0;
    let chunk: string[] = [];
    for (const record of records) {
      chunk.push(JSON.stringify(encoded(record)));
      count++;
      if (chunk.length >= 1000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.path);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.records = count;
  }

  /** Flush and close. */
  close(): void {
    this.flush(true);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * fdatasync off the loop, for the waiters so far; those that come
   * meanwhile get the next one.
   */
  private startSync(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.inflight !== undefined) return; // its callback starts the next one
    const fd = this.fd;
    const waiters = this.waiters;
    this.waiters = [];
    if (fd === undefined || !this.dirty) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.dirty = false;
    this.inflight = waiters;
    const generation = this.generation;
    fdatasync(fd, (err) => {
      if (generation !== this.generation) return; // synced on this thread meanwhile (compact, close)
      this.inflight = undefined;
      for (const w of waiters) {
        if (err === null) w.resolve();
        else w.reject(err);
      }
      if (err !== null) this.dirty = true;
      if (this.waiters.length > 0) this.startSync();
      else if (this.dirty)
        this.syncTimer ??= setTimeout(() => this.startSync(), SYNC_EVERY).unref();
    });
  }

  /** fdatasync on this thread; a running one off the loop is superseded. */
  private sync(always: boolean): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.generation++;
    if ((!this.dirty && !always) || this.fd === undefined) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}

/** A record as written: the values that may hold anything go through `encode()`. */
function encoded(record: JournalRecord): object {
  if (record.t === 'task') return { t: 'task', v: encode(record.v) };
  if (record.t === 'ok') {
    const { id, r, at, p } = record;
    return p === undefined
      ? { t: 'ok', id, r: encode(r), at }
      : { t: 'ok', id, r: encode(r), at, p: encode(p) };
  }
  return record;
}

/** Apply a `start` or `ok` record to the task's last entry. */
function replay(
  entry: Replayed,
  record: Extract<JournalRecord, { t: 'start' }> | Extract<JournalRecord, { t: 'ok' }>,
): void {
  const task = entry.task;
  delete task['runAt'];
  if (record.t === 'start') {
    entry.token = record.token;
    task['state'] = 'STARTED';
    task['attempts'] = record.n;
    task['startedAt'] = record.at;
  } else {
    task['state'] = 'SUCCESS';
    task['result'] = decode(record.r);
    task['endedAt'] = record.at;
    if (record.p !== undefined) task['progress'] = decode(record.p);
  }
}
