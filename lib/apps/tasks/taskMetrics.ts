/**
 * Prometheus metrics of a task queue, seen from its monitor: tasks counted
 * by the state they enter, and how long their runs took.
 * @module
 */
import { metricsRegistry } from '../../metrics/metricsRegistry.js';
import type { Observable } from '../../rx.js';
import { FINAL_STATES, type Task, type TaskState } from './Task.js';

/** Buckets of `rxpulsar_task_duration_seconds`: 5 ms to 10 minutes. */
export const TASK_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

/**
 * Count the tasks of `app` entering each state (`rxpulsar_tasks_total{app,state}`)
 * and observe their run durations (`rxpulsar_task_duration_seconds{app,job}`,
 * startedAt → endedAt, at a final state), in the registry `/metrics` serves.
 * A progress report (same state again) is not a transition. Whatever goes
 * wrong here is logged, never thrown at the queue.
 *
 * @param app - the task queue's name (the `app` label).
 * @param task$ - every state change of its tasks.
 * @param logger - where failures are logged.
 * @returns a function that stops counting (the metrics stay registered: counters never go down).
 * @example
 * ```ts
 * const stop = await taskMetrics('jobs', backend.task$, monitor.logger);
 * // … later
 * stop();
 * ```
 */
export async function taskMetrics(
  app: string,
  task$: Observable<Task>,
  logger: { warn(message: string): unknown },
): Promise<() => void> {
  const prom = await import('prom-client');
  const registry = await metricsRegistry();
  const tasks =
    (registry.getSingleMetric('rxpulsar_tasks_total') as InstanceType<typeof prom.Counter>) ??
    new prom.Counter({
      name: 'rxpulsar_tasks_total',
      help: 'Tasks that entered a state (PENDING, STARTED, RETRY, SUCCESS, FAILURE, REVOKED), by app',
      labelNames: ['app', 'state'],
      registers: [registry],
    });
  const durations =
    (registry.getSingleMetric('rxpulsar_task_duration_seconds') as InstanceType<
      typeof prom.Histogram
    >) ??
    new prom.Histogram({
      name: 'rxpulsar_task_duration_seconds',
      help: 'How long tasks ran (last attempt start to final state), by app and job',
      labelNames: ['app', 'job'],
      buckets: TASK_DURATION_BUCKETS,
      registers: [registry],
    });
  /** The last state seen of each unfinished task. */
  const last = new Map<string, TaskState>();
  let warned = false;
  const subscription = task$.subscribe((task) => {
    try {
      if (last.get(task.id) === task.state) return;
      tasks.inc({ app, state: task.state });
      if (!FINAL_STATES.has(task.state)) {
        last.set(task.id, task.state);
        return;
      }
      last.delete(task.id);
      if (task.startedAt !== undefined && task.endedAt !== undefined) {
        durations.observe({ app, job: task.name }, (task.endedAt - task.startedAt) / 1000);
      }
    } catch (err) {
      if (!warned) logger.warn(`task metrics of "${app}" failed: ${String(err)}`);
      warned = true;
    }
  });
  return () => subscription.unsubscribe();
}
