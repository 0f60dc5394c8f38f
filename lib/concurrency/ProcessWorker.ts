/**
 * A worker that is a child process: a `cluster` worker, so that a server it
 * listens on is shared with every other process actor through the arbiter
 * (Node's cluster owns the listening socket in the main process).
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, ReplaySubject, Subject } from '../rx.js';
import { OrphanReaper } from './OrphanReaper.js';
import type { ExitInfo, WorkerHandle, WorkerOptions } from './WorkerHandle.js';
import { CHILD_DATA_ENV } from './processChild.js';
import { childExecArgv } from './childExecArgv.js';

export { CHILD_DATA_ENV };

/**
 * Start a child process running `options.entry` with `options.data` in its
 * environment, as a `cluster` worker. Its stdio is the parent's. Actor
 * messages travel over node-ipc; Node's IPC channel only serves `cluster`
 * (shared listening sockets) and tells the child when the arbiter is gone.
 * The arbiter's {@link OrphanReaper} kills the child if the arbiter dies
 * while the child is busy.
 *
 * @example
 * ```ts
 * const worker = new ProcessWorker({ entry, data: { aid }, name: 'w1' });
 * worker.exit$.subscribe((e) => console.log(e.exitCode));
 * await worker.terminate(5000);
 * ```
 */
export class ProcessWorker implements WorkerHandle {
  readonly kind = 'process';
  readonly threadId = undefined;
  readonly exit$ = new ReplaySubject<ExitInfo>(1);
  /**
   * Emits once, when the child's end is certain: SIGKILL sent to it by
   * {@link kill} (the kernel takes some milliseconds more to end it); else
   * with its `exit`.
   */
  readonly ending$ = new ReplaySubject<ExitInfo>(1);
  /** Messages the child sends over its IPC channel (`process.send`). */
  readonly messages$ = new Subject<unknown>();
  private readonly child: ChildProcess;
  private exitInfo: ExitInfo | undefined;

  /** @param options - what to run; see {@link WorkerOptions}. */
  constructor(options: WorkerOptions) {
    const entry = options.entry instanceof URL ? fileURLToPath(options.entry) : options.entry;
    cluster.setupPrimary({
      exec: entry,
      args: [],
      execArgv: childExecArgv(options.execArgv ?? process.execArgv),
      silent: false,
    });
    // Without data, the child gets it later (see `post`).
    const env: Record<string, string> = { ...options.env };
    if (options.data !== undefined) env[CHILD_DATA_ENV] = JSON.stringify(options.data);
    const worker = cluster.fork(env);
    // cluster re-emits the child's errors on its Worker (an EPIPE when it
    // writes to a child that just died): they are handled on the child below.
    worker.on('error', () => undefined);
    this.child = worker.process;
    // Killed if the arbiter dies while it is stuck in CPU-bound code.
    const pid = this.child.pid;
    if (pid !== undefined) OrphanReaper.shared.watch(pid);
    this.child.on('message', (message: unknown) => this.messages$.next(message));
    this.child.once('exit', (exitCode, signal) => {
      this.exitInfo = { exitCode, signal };
      this.ending(this.exitInfo);
      this.messages$.complete();
      this.exit$.next(this.exitInfo);
      this.exit$.complete();
      // After its exit is told: a replacement forked meanwhile keeps the reaper.
      if (pid !== undefined) OrphanReaper.shared.forget(pid);
    });
    // A failed spawn (EAGAIN, ENOMEM) is reported through `exit` too; a failed
    // kill() (EPERM) is an `error` as well, and must not crash the arbiter.
    this.child.on('error', () => {
      if (
        this.exitInfo === undefined &&
        this.child.exitCode === null &&
        this.child.pid === undefined
      ) {
        this.exitInfo = { exitCode: -1, signal: null };
        this.ending(this.exitInfo);
        this.exit$.next(this.exitInfo);
        this.exit$.complete();
      }
    });
  }

  /** The child's pid (0 if the spawn failed). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** `true` once the child has exited. */
  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /**
   * Send the child a message over its IPC channel, with a socket if given
   * (this side's copy is closed once sent).
   *
   * @param message - what the child's `process.on('message')` gets.
   * @param socket - a socket to hand over with it.
   * @returns whether it was sent (`false`: the child is gone; the socket is destroyed).
   * @example
   * ```ts
   * await worker.post({ rxpulsar: 'peer', aid }, socket);
   * ```
   */
  post(message: object, socket?: Socket): Promise<boolean> {
    return new Promise((resolve) => {
      const failed = (): void => {
        socket?.destroy();
        resolve(false);
      };
      if (this.exited || !this.child.connected) {
        failed();
        return;
      }
      try {
        this.child.send(message, socket, { keepOpen: false }, (err) => {
          if (err === null) resolve(true);
          else failed();
        });
      } catch {
        failed();
      }
    });
  }

  /** @param signal - the signal to send (default `SIGKILL`). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exited) return;
    // Delivered, SIGKILL cannot be caught: the end is certain.
    if (this.child.kill(signal) && signal === 'SIGKILL') this.ending({ exitCode: null, signal });
  }

  /** Emit how it ends; once: a completed subject ignores the next calls. */
  private ending(how: ExitInfo): void {
    this.ending$.next(how);
    this.ending$.complete();
  }

  /**
   * @param graceMs - how long SIGTERM has before SIGKILL.
   * @returns how the child exited.
   */
  async terminate(graceMs: number): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    const exited = firstValueFrom(this.exit$);
    this.child.kill('SIGCONT'); // a frozen child must be able to handle SIGTERM
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
