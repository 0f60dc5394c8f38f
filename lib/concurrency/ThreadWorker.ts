/**
 * A worker that is a `worker_threads` thread of the arbiter's process.
 * @module
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import { firstValueFrom, ReplaySubject, Subject } from '../rx.js';
import { refused, rememberThreadExecArgv, threadExecArgv } from './threadExecArgv.js';
import type { ExitInfo, WorkerHandle, WorkerOptions } from './WorkerHandle.js';

/**
 * Start a worker thread running `options.entry` with `options.data` as its
 * `workerData`.
 *
 * @example
 * ```ts
 * const worker = new ThreadWorker({ entry, data: { aid }, name: 'w1' });
 * await worker.terminate(0);
 * ```
 */
export class ThreadWorker implements WorkerHandle {
  readonly kind = 'thread';
  readonly pid = process.pid;
  readonly exit$ = new ReplaySubject<ExitInfo>(1);
  /**
   * Emits once, when the thread's end is certain: it is being terminated
   * (exit code 1), or it threw (exit code 1); else with its `exit`. Its
   * teardown takes another 1-2 ms before the `exit` event.
   */
  readonly ending$ = new ReplaySubject<ExitInfo>(1);
  /** Messages the thread posts on its `parentPort`. */
  readonly messages$ = new Subject<unknown>();
  private readonly worker!: Worker;
  private exitInfo: ExitInfo | undefined;
  private readonly id: number;

  /** @param options - what to run; see {@link WorkerOptions}. */
  constructor(options: WorkerOptions) {
    // Explicitly: loaders given with --import (tsx…) must run in the thread
    // too; flags a thread refuses (--max-old-space-size…) are dropped.
    const given = options.execArgv ?? process.execArgv;
    let execArgv = threadExecArgv(given);
    for (;;) {
      try {
        this.worker = new Worker(options.entry, {
          workerData: options.data,
          transferList: options.transferList,
          name: options.name,
          execArgv,
          env: { ...process.env, ...options.env },
        });
        if (execArgv.length !== given.length) rememberThreadExecArgv(given, execArgv);
        break;
      } catch (err) {
        const retry = refused(execArgv, err);
        if (retry === undefined) throw err;
        execArgv = retry;
      }
    }
    this.id = this.worker.threadId;
    this.worker.on('message', (message: unknown) => this.messages$.next(message));
    this.worker.once('exit', (exitCode) => {
      this.exitInfo = { exitCode, signal: null };
      this.ending(this.exitInfo);
      this.messages$.complete();
      this.exit$.next(this.exitInfo);
      this.exit$.complete();
    });
    // An uncaught error ends the thread; its `exit` event follows.
    this.worker.on('error', () => this.ending({ exitCode: 1, signal: null }));
  }

  /** Emit how it ends; once: a completed subject ignores the next calls. */
  private ending(how: ExitInfo): void {
    this.ending$.next(how);
    this.ending$.complete();
  }

  /** The thread id (kept after exit). */
  get threadId(): number {
    return this.id;
  }

  /** `true` once the thread has exited. */
  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /**
   * Post a message to the thread (its `parentPort`); nothing once it exited.
   *
   * @param message - a structured-cloneable value.
   * @param transferList - objects moved rather than copied (a `MessagePort`).
   */
  post(message: unknown, transferList?: readonly TransferListItem[]): void {
    if (!this.exited) this.worker.postMessage(message, transferList);
  }

  /** Any signal ends a thread at once (`worker.terminate()`). */
  kill(): void {
    if (this.exited) return;
    void this.worker.terminate();
    this.ending({ exitCode: 1, signal: null });
  }

  /**
   * A thread has no SIGTERM: it is terminated at once.
   * @returns how the thread exited.
   */
  async terminate(): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    const exited = firstValueFrom(this.exit$);
    this.kill();
    return exited;
  }
}
