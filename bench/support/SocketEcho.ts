/**
 * Parent side of the raw Unix-socket baseline: newline-delimited JSON to a
 * child echo server, requests matched to replies by id.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endChild, firstMessage, fixture } from './fixture.js';

/**
 * A raw socket echo channel to a child process.
 *
 * @example
 * ```ts
 * const echo = await SocketEcho.start();
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class SocketEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: Socket,
    private readonly dir: string,
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

  /** Fork the echo server in a temp dir and connect to it. */
  static async start(): Promise<SocketEcho> {
    const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-bench-'));
    const path = join(dir, 'echo.sock');
    const child = fork(fixture('socket-echo'), [path], { stdio: 'inherit' });
    try {
      await firstMessage(child);
      const socket = connect(path);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      return new SocketEcho(child, socket, dir);
    } catch (err) {
      await endChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
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

  /** Close the socket, end the child, remove the temp dir. */
  async close(): Promise<void> {
    this.socket.destroy();
    await endChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
