/**
 * A worker started by a node agent on another machine, as the arbiter sees
 * it: the same {@link WorkerHandle} as a local process, whose signals travel
 * to the agent and whose exit the agent reports (or the arbiter declares,
 * when the agent is lost).
 * @module
 */
import { firstValueFrom, ReplaySubject } from '../rx.js';
import type { ExitInfo, WorkerHandle } from '../concurrency/WorkerHandle.js';

/**
 * A process on a joined node.
 *
 * @example
 * ```ts
 * const worker = new RemoteWorker(aid, (op) => agent.write(op));
 * worker.exit$.subscribe((e) => console.log(e.signal));
 * ```
 */
export class RemoteWorker implements WorkerHandle {
  readonly kind = 'process';
  readonly threadId = undefined;
  readonly exit$ = new ReplaySubject<ExitInfo>(1);
  /** Its pid on its own machine, once the agent reported it (0 before). */
  pid = 0;
  private exitInfo: ExitInfo | undefined;

  /**
   * @param aid - the actor's aid.
   * @param write - sends an operation to the agent.
   */
  constructor(
    readonly aid: string,
    private readonly write: (op: Record<string, unknown>) => void,
  ) {}

  /** `true` once it exited (or its node was lost). */
  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** @param signal - sent to the process by its agent. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.write({ op: 'kill', aid: this.aid, signal });
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`.
   * @param graceMs - the grace period.
   * @returns how it ended.
   */
  async terminate(graceMs: number): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await firstValueFrom(this.exit$);
    } finally {
      clearTimeout(timer);
    }
  }

  /** @param info - how it ended (reported by its agent, or a lost node). */
  exitedWith(info: ExitInfo): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = info;
    this.exit$.next(info);
    this.exit$.complete();
  }
}
