/**
 * Parent side of the raw TLS baseline: newline-delimited JSON over TLS on
 * loopback to a child echo server, requests matched to replies by id.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { endChild, firstMessage, fixture } from './fixture.js';

/**
 * A raw TLS echo channel to a child process.
 *
 * @example
 * ```ts
 * const echo = await TlsEcho.start(cert, key);
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class TlsEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: TLSSocket,
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

  /**
   * Fork the echo server and connect to it.
   * @param cert - PEM certificate file (also the CA the client trusts).
   * @param key - PEM key file.
   * @returns the channel.
   */
  static async start(cert: string, key: string): Promise<TlsEcho> {
    const child = fork(fixture('tls-echo'), [cert, key], { stdio: 'inherit' });
    try {
      const port = (await firstMessage(child)) as number;
      const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(cert) });
      socket.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      return new TlsEcho(child, socket);
    } catch (err) {
      await endChild(child);
      throw err;
    }
  }

  /** @param payload - echoed back by the child. */
  readonly request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.socket.write(JSON.stringify({ id, p: payload }) + '\n');
    });

  /** Close the socket and end the child. */
  async close(): Promise<void> {
    this.socket.destroy();
    await endChild(this.child);
  }
}
