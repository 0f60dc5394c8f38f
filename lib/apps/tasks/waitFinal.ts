/**
 * Wait on a `task$` stream for a task's final state.
 * @module
 */
import { InvalidStateError } from '../../errors.js';
import type { Observable } from '../../rx.js';
import { FINAL_STATES, type Task } from './Task.js';

/**
 * @param task$ - every state change.
 * @param id - the task.
 * @param ms - give up after this long (resolve `null`); default: never.
 * @returns a promise of the task at SUCCESS, FAILURE or REVOKED (rejected if the
 *   stream ends first), with `cancel()`: give up now (resolve `null`).
 * @example
 * ```ts
 * const done = await waitFinal(backend.task$, task.id);
 * ```
 */
export function waitFinal(
  task$: Observable<Task>,
  id: string,
  ms?: number,
): Promise<Task> & { cancel(): void } {
  let cancel = (): void => undefined;
  const promise = new Promise<Task>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const end = (): void => {
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => sub.unsubscribe());
    };
    const sub = task$.subscribe({
      next: (t) => {
        if (done || t.id !== id || !FINAL_STATES.has(t.state)) return;
        end();
        resolve(t);
      },
      complete: () => {
        if (done) return;
        end();
        reject(new InvalidStateError(`the queue stopped before task ${id} ended`));
      },
    });
    const giveUp = (): void => {
      if (done) return;
      end();
      resolve(null as unknown as Task);
    };
    cancel = giveUp;
    if (ms !== undefined && !done) timer = setTimeout(giveUp, ms);
  });
  return Object.assign(promise, { cancel: () => cancel() });
}
