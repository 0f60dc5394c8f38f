/**
 * Parent side of the `child_process.fork()` baseline: `process.send`
 * messages to an echoing child, matched by id.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { endChild, firstMessage, fixture } from './fixture.js';

/**
 * A fork IPC echo channel.
 *
 * @example
 * ```ts
 * const echo = await ForkEcho.start();
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class ForkEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg) => {
      const { id, p } = msg as { id: number; p: unknown };
      const resolve = this.pending.get(id);
      this.pending.delete(id);
      resolve?.(p);
    });
  }

  /** Fork the echo child and wait until it is ready. */
  static async start(): Promise<ForkEcho> {
    const child = fork(fixture('fork-echo'), [], { stdio: 'inherit' });
    try {
      await firstMessage(child);
    } catch (err) {
      await endChild(child);
      throw err;
    }
    return new ForkEcho(child);
  }

  /** @param payload - echoed back by the child. */
  readonly request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.child.send({ id, p: payload });
    });

  /** End the child. */
  async close(): Promise<void> {
    await endChild(this.child);
  }
}
