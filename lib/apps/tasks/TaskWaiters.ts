/**
 * Waiters on tasks' final states, by id: one subscription to `task$` for
 * all of them (held only while someone waits), each change looked up once.
 * @module
 */
import { InvalidStateError } from '../../errors.js';
import type { Observable, Subscription } from '../../rx.js';
import { FINAL_STATES, type Task } from './Task.js';

type Settle = (task: Task | null, err?: Error) => void;

/**
 * @example
 * ```ts
 * const waiters = new TaskWaiters(backend.task$);
 * const done = await waiters.wait(task.id); // at SUCCESS, FAILURE or REVOKED
 * ```
 */
export class TaskWaiters {
  private readonly waiting = new Map<string, Set<Settle>>();
  private sub: Subscription | undefined;

  /** @param task$ - every state change. */
  constructor(private readonly task$: Observable<Task>) {}

  /**
   * @param id - the task.
   * @param ms - give up after this long (resolve `null`); default: never.
   * @returns a promise of the final task (rejected if the stream ends
   *   first), with `cancel()`: give up now (resolve `null`).
   */
  wait(id: string, ms?: number): Promise<Task | null> & { cancel(): void } {
    let settle: Settle = () => undefined;
    const promise = new Promise<Task | null>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      settle = (task, err) => {
        clearTimeout(timer);
        this.remove(id, settle);
        if (err !== undefined) reject(err);
        else resolve(task);
      };
      if (ms !== undefined) timer = setTimeout(() => settle(null), ms);
    });
    let set = this.waiting.get(id);
    if (set === undefined) this.waiting.set(id, (set = new Set()));
    set.add(settle);
    this.sub ??= this.task$.subscribe({
      next: (t) => {
        if (!FINAL_STATES.has(t.state)) return;
        for (const s of this.waiting.get(t.id) ?? []) s(t);
      },
      complete: () => {
        for (const [taskId, settles] of this.waiting) {
          const err = new InvalidStateError(`the queue stopped before task ${taskId} ended`);
          for (const s of settles) s(null, err);
        }
      },
    });
    return Object.assign(promise, { cancel: () => settle(null) });
  }

  private remove(id: string, settle: Settle): void {
    const set = this.waiting.get(id);
    if (set === undefined) return;
    set.delete(settle);
    if (set.size > 0) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) {
      this.sub?.unsubscribe();
      this.sub = undefined;
    }
  }
}
