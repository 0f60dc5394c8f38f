/**
 * Parent side of the `worker_threads` baseline: `postMessage` to an echoing
 * thread, matched by id.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { fixture } from './fixture.js';

/**
 * A worker-thread echo channel.
 *
 * @example
 * ```ts
 * const echo = await WorkerEcho.start();
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class WorkerEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg) => {
      const { id, p } = msg as { id: number; p: unknown };
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      resolve?.(p);
    });
  }

  /** Start the echo thread and wait until it runs. */
  static async start(): Promise<WorkerEcho> {
    const worker = new Worker(fixture('worker-echo'));
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new WorkerEcho(worker);
  }

  /** @param payload - echoed back by the thread. */
  readonly request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, p: payload });
    });

  /** Terminate the thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
