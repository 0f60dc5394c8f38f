/**
 * The commands a task queue's monitor answers: the producer API
 * (`queue_task`, `get_task`, `wait_task`, `revoke_task`, `task_subscribe`)
 * and, for a backend that runs tasks on the pool, the workers' reports.
 * @module
 */
import type { Subscription } from '../../rx.js';
import { InvalidStateError } from '../../errors.js';
import type { Monitor } from '../../monitor/Monitor.js';
import type { TaskBackend, WorkerFacing } from './TaskBackend.js';
import { FINAL_STATES, type QueueTaskOptions } from './Task.js';

/**
 * Register the task commands on a monitor.
 *
 * @param monitor - the app's monitor.
 * @param backend - the queue.
 * @param facing - the worker-facing half.
 * @returns a teardown that ends the forwarding subscriptions.
 * @example
 * ```ts
 * const release = taskCommands(monitor, backend, backend);
 * ```
 */
export function taskCommands(
  monitor: Monitor,
  backend: TaskBackend,
  facing: WorkerFacing,
): () => void {
  const subscribers = new Map<string, Subscription>();
  monitor.command('queue_task', (_m, name: string, args?: unknown[], options?: QueueTaskOptions) =>
    backend.queueTask(name, args, options),
  );
  monitor.command('get_task', (_m, id: string) => backend.getTask(id));
  monitor.command('revoke_task', (_m, id: string) => backend.revokeTask(id));
  monitor.command('wait_task', async (_m, id: string, ms: number) => {
    const task = await backend.getTask(id);
    if (task === undefined) throw new InvalidStateError(`no task "${id}" in this queue`);
    if (FINAL_STATES.has(task.state)) return task;
    return backend.waitForTask(id, ms);
  });
  monitor.command('task_subscribe', (_m, aid: string, key: string) => {
    subscribers.get(aid)?.unsubscribe();
    subscribers.set(
      aid,
      backend.task$.subscribe((t) => {
        monitor.send(aid, key, t).addErrback(() => {
          subscribers.get(aid)?.unsubscribe();
          subscribers.delete(aid);
        });
      }),
    );
  });
  monitor.command('task_unsubscribe', (_m, aid: string) => {
    subscribers.get(aid)?.unsubscribe();
    subscribers.delete(aid);
  });
  facing.workerCommands(monitor);
  return () => {
    for (const s of subscribers.values()) s.unsubscribe();
    subscribers.clear();
  };
}
