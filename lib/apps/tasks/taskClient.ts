/**
 * The producer API of a Redis-backed TaskQueue from outside any arbiter.
 * @module
 */
import type { Deferred } from '../../async/Deferred.js';
import { makeAsync } from '../../async/makeAsync.js';
import { TaskOptionError } from '../../errors.js';
import type { Observable } from '../../rx.js';
import { RedisTaskClient } from './RedisTaskClient.js';
import type { TaskProducerApi } from './TaskProducer.js';
import type { QueueTaskOptions, Task } from './Task.js';

/** A client of a Redis-backed queue: the producer API, plus `close()`. */
export interface TaskClient extends TaskProducerApi {
  /** Close its Redis connections. */
  close(): Promise<void>;
}

/**
 * Connect to a Redis-backed TaskQueue (no arbiter needed). Job names are
 * not checked here (the client has no jobs module): a task of an unknown
 * job fails when a worker takes it.
 *
 * @param url - the queue's `taskBackend`: `redis://host:port/db`, optionally `?queue=NAME`.
 * @param queue - the TaskQueue app's name (default: the URL's `queue` parameter).
 * @returns a connected client.
 * @example
 * ```ts
 * const client = await taskClient('redis://127.0.0.1:6379/0', 'jobs');
 * const task = await client.queueTask('resize', ['cat.png']);
 * console.log((await client.waitForTask(task.id)).result);
 * await client.close();
 * ```
 */
export async function taskClient(url: string, queue?: string): Promise<TaskClient> {
  const name = queue ?? new URL(url).searchParams.get('queue');
  if (name === null || name === '') {
    throw new TaskOptionError(
      `taskClient(${JSON.stringify(url)}): which queue? give its name, or ?queue=NAME`,
    );
  }
  const client = new RedisTaskClient(url, { queue: name });
  await client.start();
  const wrap = <T>(p: Promise<T>): Deferred<T> => makeAsync(p);
  return {
    get task$(): Observable<Task> {
      return client.task$;
    },
    // The client's Deferred as it is (no promise, no second Deferred per task).
    queueTask: (name: string, args?: unknown[], options?: QueueTaskOptions) =>
      client.queueTaskDeferred(name, args, options),
    waitForTask: (id: string) => wrap(client.waitForTask(id)),
    getTask: (id: string) => wrap(client.getTask(id)),
    revokeTask: (id: string) => wrap(client.revokeTask(id)),
    close: () => client.stop(),
  };
}
