/**
 * The files of a {@link TestRun} that no worker has begun: the jobs of the
 * phase not given yet, those given to runners before the pool was up
 * (reserved until their workers get them), and the file sent ahead to each
 * busy worker, which an idle worker may take back once nothing else is left.
 * A file taken back, or retried (its worker died loading it in the first
 * pass), goes in again under a new id: its runner may still tell of the old one.
 * @module
 */
import type { FileRun } from './FileRun.js';
import type { FileJob } from './wire.js';

/**
 * The queue of a run's file jobs.
 *
 * @example
 * ```ts
 * const queue = new FileQueue(setupFiles, options, firstJobs);
 * queue.fill(['a.spec.js', 'b.spec.js'], false);
 * const job = queue.next(); // a.spec.js, to an idle worker
 * queue.holdAhead(new FileRun(queue.next()!, aid)); // b.spec.js, ahead on a busy one
 * const recalled = queue.recall(1); // no file left: an idle worker takes b back
 * ```
 */
export class FileQueue {
  private queue: FileJob[] = [];
  /** Jobs given to runners already, until their workers get them. */
  private reserved: FileJob[] = [];
  /** The file sent ahead to each busy worker, queued behind the one it runs. */
  private readonly ahead = new Map<string, FileRun>();
  /** Files sent ahead being taken back for idle workers. */
  private readonly recalled = new Set<FileRun>();
  private nextId = 1;
  /** Workers whose runners' first jobs were taken out of the reserved ones. */
  private readonly served = new Set<string>();
  /** Files whose worker died loading them in the first pass, once or twice. */
  private readonly dryCrashes = new Map<string, number>();

  /**
   * @param setupFiles - `--file` files, loaded first in every worker.
   * @param options - mocha's options for the workers (JSON-safe).
   * @param firstJobs - jobs given to runners before the pool was up (ids
   *   below those the queue gives).
   */
  constructor(
    private readonly setupFiles: string[],
    private readonly options: Record<string, unknown>,
    private readonly firstJobs: FileJob[] = [],
  ) {
    for (const job of firstJobs) this.nextId = Math.max(this.nextId, job.id + 1);
  }

  /**
   * Queue the files of a phase, in scheduling order.
   * @param files - the phase's files.
   * @param dry - the first pass (files only loaded): no runner holds any yet.
   */
  fill(files: string[], dry: boolean): void {
    // The files runners have already (there is no first pass then).
    this.reserved = dry ? [] : this.firstJobs.filter((j) => files.includes(j.file));
    const given = new Set(this.reserved.map((j) => j.file));
    this.queue = files
      .filter((file) => !given.has(file))
      .map((file) => ({
        id: this.nextId++,
        file,
        setupFiles: this.setupFiles,
        options: this.options,
        dry,
      }));
  }

  /** @returns `true` while files are not given to a worker yet. */
  hasWork(): boolean {
    return this.queue.length > 0 || this.reserved.length > 0;
  }

  /** @returns the next job to send (reserved jobs go only with their runners). */
  next(): FileJob | undefined {
    return this.queue.shift();
  }

  /**
   * Take out the reserved jobs a worker's runner holds, the first time the
   * worker gets a job (none after).
   * @param aid - the worker.
   * @param jobs - its runner's first jobs: the one it runs, then the one it holds ahead.
   * @returns the one it runs and the one ahead, of the reserved jobs.
   */
  unreserve(aid: string, jobs: () => FileJob[]): [FileJob | undefined, FileJob | undefined] {
    if (this.served.has(aid)) return [undefined, undefined];
    this.served.add(aid);
    const [first, second] = jobs();
    const job = this.take(first);
    const next = this.take(second);
    // Its first file is not of this phase (its events are nobody's): the
    // one it holds ahead is this phase's first on it. Left reserved, that
    // one would never be sent, and the phase would never end.
    return job === undefined ? [next, undefined] : [job, next];
  }

  /**
   * Queue a job again, under a new id.
   * @param job - a file that did not begin, or to retry.
   * @param first - it goes first (it was taken back), else last.
   */
  requeue(job: FileJob, first: boolean): void {
    const again = { ...job, id: this.nextId++ };
    if (first) this.queue.unshift(again);
    else this.queue.push(again);
  }

  /**
   * A file's worker died loading it in the first pass: it loads once more.
   * @param job - the file.
   * @param again - it may be queued again (the run goes on).
   */
  crashedLoading(job: FileJob, again: boolean): void {
    const times = (this.dryCrashes.get(job.file) ?? 0) + 1;
    this.dryCrashes.set(job.file, times);
    if (times === 1 && again) this.requeue(job, false);
  }

  /** @returns `true` for a file that killed its worker twice while loading. */
  crashedTwice(file: string): boolean {
    return (this.dryCrashes.get(file) ?? 0) > 1;
  }

  /** @returns the file sent ahead to the worker `aid`, if any. */
  aheadOf(aid: string): FileRun | undefined {
    return this.ahead.get(aid);
  }

  /** @param run - a file sent ahead to its busy worker. */
  holdAhead(run: FileRun): void {
    this.ahead.set(run.aid, run);
  }

  /**
   * The file a worker runs is over: the one sent ahead to it begins now, in
   * its runner already.
   * @param aid - the worker.
   * @returns that file, no longer held ahead.
   */
  takeAhead(aid: string): FileRun | undefined {
    const next = this.ahead.get(aid);
    if (next === undefined) return undefined;
    this.ahead.delete(aid);
    this.recalled.delete(next);
    return next;
  }

  /**
   * A file did not begin (taken back, or its runner died).
   * @returns `true` when it was held ahead (it is no more).
   */
  release(run: FileRun): boolean {
    this.recalled.delete(run);
    if (this.ahead.get(run.aid) !== run) return false;
    this.ahead.delete(run.aid);
    return true;
  }

  /**
   * No file left: idle workers take back files sent ahead to busy ones.
   * @param idle - workers with no file to run.
   * @returns the files to take back now (each once, until released).
   */
  recall(idle: number): FileRun[] {
    const taken: FileRun[] = [];
    let left = idle - this.recalled.size;
    for (const run of this.ahead.values()) {
      if (left <= 0) break;
      if (this.recalled.has(run)) continue;
      this.recalled.add(run);
      left--;
      taken.push(run);
    }
    return taken;
  }

  /**
   * The run stops: no job is given any more.
   * @returns the files that were held ahead (their runners drop them).
   */
  clear(): FileRun[] {
    const dropped = [...this.ahead.values()];
    this.queue = [];
    this.reserved = [];
    this.ahead.clear();
    return dropped;
  }

  /** @returns `job` taken out of the reserved jobs, if it was one. */
  private take(job: FileJob | undefined): FileJob | undefined {
    const i = job === undefined ? -1 : this.reserved.indexOf(job);
    return i < 0 ? undefined : this.reserved.splice(i, 1)[0];
  }
}
