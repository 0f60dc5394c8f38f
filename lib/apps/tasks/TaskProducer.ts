/**
 * The producer API from any actor: the same calls as the app's, sent to the
 * app's monitor (`send('<app>', 'queue_task', …)`).
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import { requireActor } from '../../actor/current.js';
import { Deferred } from '../../async/Deferred.js';
import { makeAsync } from '../../async/makeAsync.js';
import { Observable } from '../../rx.js';
import type { QueueTaskOptions, Task } from './Task.js';

/** What a task queue offers producers: the app, `tasks(name)` and `taskClient(url)` alike. */
export interface TaskProducerApi {
  /**
   * Queue a task of job `name`; with `options.id`, queueing the same id again returns the first.
   * @returns the Deferred of the queued task (PENDING, or its state if the id was known).
   */
  queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task>;
  /** @returns the Deferred of the task once SUCCESS, FAILURE or REVOKED. */
  waitForTask(id: string): Deferred<Task>;
  /** @returns the Deferred of the task as it is now, `undefined` if unknown (or expired). */
  getTask(id: string): Deferred<Task | undefined>;
  /**
   * Revoke a task: a pending one never runs, a running one has its signal aborted.
   * @returns the Deferred of the task after it, `undefined` if unknown.
   */
  revokeTask(id: string): Deferred<Task | undefined>;
  /** Every state change of every task of the queue. */
  readonly task$: Observable<Task>;
}

/**
 * A task queue seen from any actor (a worker of another app, a spawned
 * actor, the arbiter).
 *
 * @example
 * ```ts
 * const q = tasks('jobs');
 * const task = await q.queueTask('resize', ['cat.png'], { priority: 5 });
 * const done = await q.waitForTask(task.id);
 * ```
 */
export class TaskProducer implements TaskProducerApi {
  /** Every state change of every task (the monitor forwards them while subscribed). */
  readonly task$: Observable<Task>;

  /**
   * @param app - the task queue's name.
   * @param actor - the actor that sends (default: the current one, at each call).
   */
  constructor(
    readonly app: string,
    private readonly actor?: Actor,
  ) {
    this.task$ = new Observable<Task>((subscriber) => {
      const self = this.sender();
      const key = `task_event:${app}`;
      const listeners = (self.extra[key] ??= new Set()) as Set<(t: Task) => void>;
      const listener = (t: Task): void => subscriber.next(t);
      if (listeners.size === 0) {
        self.command(
          key,
          (_a, t: Task) => {
            for (const l of listeners) l(t);
          },
          { ack: false },
        );
        self
          .send(app, 'task_subscribe', self.aid, key)
          .addErrback((err: unknown) => subscriber.error(err));
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0)
          self.send(app, 'task_unsubscribe', self.aid).addErrback(() => undefined);
      };
    });
  }

  /** {@inheritDoc TaskProducerApi.queueTask} */
  queueTask(name: string, args?: unknown[], options?: QueueTaskOptions): Deferred<Task> {
    return this.sender().send(this.app, 'queue_task', name, args, options) as Deferred<Task>;
  }

  /** {@inheritDoc TaskProducerApi.getTask} */
  getTask(id: string): Deferred<Task | undefined> {
    return this.sender().send(this.app, 'get_task', id) as Deferred<Task | undefined>;
  }

  /** {@inheritDoc TaskProducerApi.revokeTask} */
  revokeTask(id: string): Deferred<Task | undefined> {
    return this.sender().send(this.app, 'revoke_task', id) as Deferred<Task | undefined>;
  }

  /**
   * Wait for a final state however long it takes: the monitor answers each
   * request within part of the request deadline, and the call asks again.
   */
  waitForTask(id: string): Deferred<Task> {
    const actor = this.sender();
    const wait = Math.max(100, Math.floor(actor.cfg.requestTimeout * 0.8));
    const loop = async (): Promise<Task> => {
      for (;;) {
        const task = (await actor.send(this.app, 'wait_task', id, wait)) as Task | null;
        if (task !== null) return task;
      }
    };
    return makeAsync(loop());
  }

  private sender(): Actor {
    return this.actor ?? requireActor('tasks()');
  }
}

/**
 * The producer API of a task queue from any actor.
 *
 * @param app - the TaskQueue's name.
 * @returns its producer.
 * @example
 * ```ts
 * await tasks('jobs').queueTask('send_mail', ['a@b.c']);
 * ```
 */
export function tasks(app: string): TaskProducer {
  return new TaskProducer(app);
}
