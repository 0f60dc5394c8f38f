/**
 * Parent side of the raw baselines (Unix socket, TLS): newline-delimited
 * JSON to a child echo server, requests matched to replies by id.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { endChild } from './fixture.js';

/**
 * A newline-delimited JSON echo channel to a child process, over a
 * connected socket (plain or TLS).
 *
 * @example
 * ```ts
 * const echo = new LineEcho(child, socket);
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class LineEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  /**
   * @param child - the echo server.
   * @param socket - connected to it.
   * @param cleanup - what else to release on close (a temp folder).
   */
  constructor(
    private readonly child: ChildProcess,
    private readonly socket: Socket,
    private readonly cleanup: () => void = () => undefined,
  ) {
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      let start = 0;
      let end = chunk.indexOf('\n');
      while (end !== -1) {
        const line = buffered + chunk.slice(start, end);
        buffered = '';
        const { id, p } = JSON.parse(line) as { id: number; p: unknown };
        const resolve = this.pending.get(id);
        this.pending.delete(id);
        resolve?.(p);
        start = end + 1;
        end = chunk.indexOf('\n', start);
      }
      buffered += chunk.slice(start);
    });
  }

  /** The echo server's pid (to read its CPU time). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** @param payload - echoed back by the child. */
  readonly request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ id, p: payload }) + '\n');
    });

  /** Close the socket, end the child, clean up. */
  async close(): Promise<void> {
    this.socket.destroy();
    await endChild(this.child);
    this.cleanup();
  }
}
