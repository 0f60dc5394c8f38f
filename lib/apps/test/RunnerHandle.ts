/**
 * Actor side of a spec runner: the clean child process (or thread) in which
 * a worker actor of a TestSuite runs its spec files. The actor stays
 * responsive while a spec blocks, crashes or fakes timers in the runner; a
 * runner that dies is reported and replaced by a fresh one.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { processEnded } from '../../util/processEnded.js';
import { RunnerSocket } from './RunnerSocket.js';
import type { FileJob } from './wire.js';
import { childExecArgv } from '../../concurrency/childExecArgv.js';

/** What an actor tells its runner. */
export type RunnerMessage =
  { type: 'run'; job: FileJob } | { type: 'abort' } | { type: 'drop'; id: number };

/** How a runner ended. */
export interface RunnerExit {
  kind: 'process' | 'thread';
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Its worker killed it (the arbiter found it hung); `false`: it ended on its own. */
  killed?: boolean;
}

/**
 * How long, past a child runner's exit, its last messages may take to come
 * in before the exit is reported anyway, in ms.
 */
const EXIT_GRACE_MS = 2000;

const ENTRY = new URL('./entry/runner.js', import.meta.url);

let early: RunnerHandle | undefined;

/**
 * Start this worker's runner now, while the actor itself starts (its
 * handshake, its hooks): the worker module calls it when it loads.
 * @param kind - a child process or a worker thread.
 * @param execArgv - Node options of a child process (default: this process's).
 * @example
 * ```ts
 * startRunnerEarly('process', ['--enable-source-maps']);
 * ```
 */
export function startRunnerEarly(kind: 'process' | 'thread', execArgv?: string[]): void {
  early ??= new RunnerHandle(kind, undefined, undefined, execArgv);
}

/**
 * @param kind - a child process or a worker thread.
 * @param execArgv - Node options of a child process (default: this process's).
 * @returns the runner started early, or a new one.
 * @example
 * ```ts
 * const runner = takeRunner('process');
 * runner.onEvent = (json) => relay(json);
 * ```
 */
export function takeRunner(kind: 'process' | 'thread', execArgv?: string[]): RunnerHandle {
  const runner = early ?? new RunnerHandle(kind, undefined, undefined, execArgv);
  early = undefined;
  return runner;
}

/**
 * One runner at a time, started again after it dies.
 *
 * @example
 * ```ts
 * const runner = new RunnerHandle('process', (json) => relay(json), (exit) => report(exit));
 * runner.run(job);
 * ```
 */
export class RunnerHandle {
  private child: ChildProcess | undefined;
  private thread: Worker | undefined;
  /** A prestarted runner given to this worker, until it ends. */
  private remote:
    { socket: RunnerSocket; pid: number; exit?: RunnerExit; gone: boolean } | undefined;
  private closed = false;
  /** This handle killed the runner it has now. */
  private killing = false;

  /**
   * @param kind - a child process or a worker thread.
   * @param onEvent - each event of the running file, as the runner's JSON
   *   (may be set later, before the first job).
   * @param onExit - the runner died (a fresh one is started).
   * @param execArgv - Node options of a child process (default: this
   *   process's; a worker thread's own are a filtered copy of them).
   * @param lazy - start no runner until the first job (one may be given by
   *   {@link RunnerHandle.adopt} before).
   */
  constructor(
    private readonly kind: 'process' | 'thread',
    public onEvent: (json: string) => void = () => undefined,
    public onExit: (exit: RunnerExit) => void = () => undefined,
    private readonly execArgv: string[] = process.execArgv,
    lazy = false,
  ) {
    if (!lazy) this.start();
  }

  /** The process id of the runner it has now, if a process. */
  get pid(): number | undefined {
    return this.remote?.pid ?? this.child?.pid;
  }

  /**
   * Use a prestarted runner (when none was started yet).
   * @param path - its socket.
   * @param pid - its process.
   * @returns `false` when this handle has a runner already.
   */
  adopt(path: string, pid: number): boolean {
    if (this.closed || this.child !== undefined || this.thread !== undefined || this.remote) {
      return false;
    }
    const remote = {
      pid,
      gone: false,
      socket: new RunnerSocket(
        path,
        (line) => this.message(line),
        () => {
          remote.gone = true;
          this.remoteEnded();
        },
      ),
    } as NonNullable<RunnerHandle['remote']>;
    this.remote = remote;
    return true;
  }

  /** @param exit - how the prestarted runner ended (its parent tells). */
  remoteExited(exit: RunnerExit): void {
    if (this.remote === undefined) return;
    this.remote.exit = exit;
    // Whatever it wrote before it died is read first.
    if (!this.remote.gone) this.remote.socket.ended();
    else this.remoteEnded();
  }

  /** @param job - run it in the runner (jobs queue up there). */
  run(job: FileJob): void {
    this.post({ type: 'run', job });
  }

  /** Stop the running file after its current test; drop the jobs queued behind it. */
  abort(): void {
    this.post({ type: 'abort' });
  }

  /** @param id - a job queued behind the running file: drop it, unless it began. */
  drop(id: number): void {
    if (this.child !== undefined || this.thread !== undefined || this.remote !== undefined) {
      this.post({ type: 'drop', id });
    }
  }

  /**
   * Kill the runner (it hung), after the loop's next look at its I/O, unless
   * it has ended by then: an exit already on its way (the runner died on
   * its own while the arbiter's word travelled) is heard first, and is
   * reported as it is. `onExit` follows, its `killed` saying which it was.
   */
  kill(): void {
    // Two immediates: between them lies a poll phase of the loop, which
    // reads what came (a child's exit, a socket's end) until now.
    afterNextPoll(() => {
      const { remote, child, thread } = this;
      if (remote !== undefined) {
        // Its connection closed, or its parent told its end: it ended on its own.
        if (remote.gone || remote.exit !== undefined || processEnded(remote.pid)) return;
        this.killing = true;
        killPid(remote.pid);
      } else if (child !== undefined) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.pid !== undefined && processEnded(child.pid)) return;
        this.killing = true;
        child.kill('SIGKILL');
      } else if (thread !== undefined) {
        this.killing = true;
        void thread.terminate();
      }
    });
  }

  /** Kill the runner for good. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.remote !== undefined) {
      killPid(this.remote.pid);
      this.remote.socket.close();
      this.remote = undefined;
    }
    const child = this.child;
    const thread = this.thread;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    if (thread !== undefined) await thread.terminate();
  }

  private post(message: RunnerMessage): void {
    if (this.remote !== undefined) {
      this.remote.socket.write(JSON.stringify(message));
      return;
    }
    if (this.thread === undefined && this.child === undefined) this.start();
    if (this.thread !== undefined) this.thread.postMessage(message);
    else this.child?.send(message);
  }

  private readonly message = (json: unknown): void => {
    if (typeof json === 'string' && json !== '{"name":"ready"}') this.onEvent(json);
  };

  /** The prestarted runner's connection is over: once its exit is known, a fresh runner starts. */
  private remoteEnded(): void {
    const remote = this.remote;
    if (remote === undefined || !remote.gone) return;
    if (remote.exit === undefined) {
      // Closed first (it was killed, or exited): its parent tells how, soon.
      return;
    }
    this.remote = undefined;
    if (this.closed) return;
    this.onExit({ ...remote.exit, killed: this.killing });
    this.killing = false;
    this.start();
  }

  private start(): void {
    if (this.closed) return;
    const message = this.message;
    if (this.kind === 'thread') {
      const thread = new Worker(ENTRY);
      this.thread = thread;
      thread.on('message', message);
      thread.on('error', () => undefined);
      thread.once('exit', (code) => this.exited(code, null, undefined));
      return;
    }
    const child = forkRunner(this.execArgv);
    this.child = child;
    child.on('message', message);
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      // 'exit' is not ordered with the channel: the messages the runner sent
      // just before it died (the test it began) may still be on their way.
      // The channel's end comes after them.
      if (!child.connected) {
        this.exited(code, signal, child.pid);
        return;
      }
      const reported = (): void => {
        clearTimeout(grace);
        child.removeListener('disconnect', reported);
        this.exited(code, signal, child.pid);
      };
      const grace = setTimeout(reported, EXIT_GRACE_MS).unref();
      child.once('disconnect', reported);
    });
  }

  private exited(
    code: number | null,
    signal: NodeJS.Signals | null,
    pid: number | undefined,
  ): void {
    this.child = undefined;
    this.thread = undefined;
    const killed = this.killing;
    this.killing = false;
    if (this.closed) return;
    this.onExit({ kind: this.kind, pid, code, signal, killed });
    this.start();
  }
}

/**
 * Fork a spec runner process: a plain child, not a cluster worker like its actor.
 *
 * @param execArgv - its Node options.
 * @param env - variables it gets besides this process's.
 * @returns the child.
 * @example
 * ```ts
 * const child = forkRunner(process.execArgv, { [RUNNER_SOCKET_ENV]: path });
 * ```
 */
export function forkRunner(execArgv: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv['NODE_UNIQUE_ID'];
  return fork(fileURLToPath(ENTRY), [], {
    env: childEnv,
    execArgv: childExecArgv(execArgv),
    // Events are JSON text already: no second JSON encoding on the way.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function afterNextPoll(callback: () => void): void {
  setImmediate(() => setImmediate(callback));
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
