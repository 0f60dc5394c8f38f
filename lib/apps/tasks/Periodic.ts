/**
 * Periodic jobs of the embedded backend: each tick queues one task whose id
 * names the tick (`<job>@<ISO time>`), so a tick is queued once however
 * often it is tried; the last tick of every job is journaled, so a tick
 * missed while nothing ran is queued once on start (`missedTicks: 'once'`)
 * or skipped (`'skip'`).
 * @module
 */
import type { Subscription } from '../../rx.js';
import type { JobSpec } from './jobSpecs.js';
import { latestTick, nextTick } from './nextTick.js';
import type { JournalRecord, TaskJournal } from './TaskJournal.js';

/** Longest a timer is armed for: later ticks are re-armed (timers past ~24 days overflow). */
const MAX_ARM = 3_600_000;

type Later = (ms: number, cb: () => void) => Subscription;

/**
 * The ticks of the periodic jobs of one queue.
 *
 * @example
 * ```ts
 * const p = new Periodic(specs, journal, 'once', (name, args, id) => backend.queueTask(name, args, { id }));
 * p.start(ticks, (ms, cb) => loop.addTimeout(ms, cb));
 * ```
 */
export class Periodic {
  private readonly ticks = new Map<string, number>();
  private readonly timers = new Map<string, Subscription>();
  private stopped = false;

  /**
   * @param specs - the jobs (only those with `every` or `cron` tick).
   * @param journal - where ticks are recorded.
   * @param missed - what to do with a tick missed while nothing ran.
   * @param queue - queues one tick's task.
   */
  constructor(
    private readonly specs: Map<string, JobSpec>,
    private readonly journal: TaskJournal,
    private readonly missed: 'once' | 'skip',
    private readonly queue: (name: string, args: unknown[], id: string) => unknown,
  ) {}

  /**
   * @param ticks - the last tick of every job, from the journal.
   * @param later - arms a timer.
   */
  start(ticks: Map<string, number>, later: Later): void {
    const now = Date.now();
    for (const spec of this.specs.values()) {
      if (spec.every === undefined && spec.cron === undefined) continue;
      const last = ticks.get(spec.name);
      if (last !== undefined) this.ticks.set(spec.name, last);
      if (last !== undefined && nextTick(spec, last) <= now) {
        const latest = latestTick(spec, last, now);
        if (this.missed === 'once') this.fire(spec, latest);
        else this.record(spec.name, latest);
      }
      this.arm(spec, later);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.unsubscribe();
    this.timers.clear();
  }

  /** @returns the journal records of the last ticks (for compaction). */
  snapshot(): JournalRecord[] {
    return [...this.ticks].map(([job, at]) => ({ t: 'tick', job, at }));
  }

  private arm(spec: JobSpec, later: Later): void {
    if (this.stopped) return;
    const now = Date.now();
    const at = nextTick(spec, now);
    const wait = Math.min(at - now, MAX_ARM);
    this.timers.set(
      spec.name,
      later(wait, () => {
        if (Date.now() >= at) this.fire(spec, at);
        this.arm(spec, later);
      }),
    );
  }

  private fire(spec: JobSpec, at: number): void {
    this.record(spec.name, at);
    this.queue(spec.name, spec.args, `${spec.name}@${new Date(at).toISOString()}`);
  }

  private record(name: string, at: number): void {
    this.ticks.set(name, at);
    this.journal.append({ t: 'tick', job: name, at });
  }
}
