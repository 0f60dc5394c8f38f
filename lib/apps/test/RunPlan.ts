/**
 * What a `TestRun` runs (`RunPlan`), where it reports (`RunSink`) and
 * the pool's streams it follows (`PoolEvents`).
 * @module
 */
import type { Observable } from '../../rx.js';
import type { ActorProxy } from '../../actor/ActorProxy.js';
import type { ActorExit } from '../../actor/ArbiterEvents.js';
import type { FileRun } from './FileRun.js';
import type { FileJob, WireEvent } from './wire.js';

/** The arbiter's streams a run follows: workers that come up, and exit. */
export interface PoolEvents {
  actorExited$: Observable<ActorExit>;
  actorSpawned$: Observable<ActorProxy>;
}

/**
 * What a run does.
 *
 * @example
 * ```ts
 * const plan: RunPlan = { files: ['a.spec.js'], setupFiles: [], options: {}, onlyCandidates: [], bail: false };
 * ```
 */
export interface RunPlan {
  /** Spec files, in scheduling order. */
  files: string[];
  /** `--file` files, loaded first in every worker. */
  setupFiles: string[];
  /** mocha's options for the workers (JSON-safe). */
  options: Record<string, unknown>;
  /** Files that may hold a `.only` (they mention it): loaded in a first pass. */
  onlyCandidates: string[];
  /** Stop the whole run after the first failure. */
  bail: boolean;
  /**
   * Jobs of files given to runners before the pool was up (ids below those
   * the run gives), one to run and one ahead per runner: each goes to the
   * worker that gets its runner.
   */
  firstJobs?: FileJob[];
}

/** What the run reports to (the parent runner). */
export interface RunSink {
  /** One event of one file, in reporting order. */
  report(event: WireEvent, run: FileRun): void;
  /** A file is over: `ms` it took (absent when it was interrupted). */
  fileDone(file: string, ms: number | undefined): void;
  /**
   * A worker gets its first job now (the job follows this call's messages).
   * @param aid - the worker (an actor of the pool, or a `LocalWorker`).
   * @returns the jobs its runner was given already (of `firstJobs`): the
   *   one it runs, then the one it holds ahead.
   */
  firstJob?(aid: string): FileJob[];
}
