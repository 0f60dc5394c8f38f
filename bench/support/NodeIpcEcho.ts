/**
 * Parent side of the bare node-ipc baseline: the transport rxpulsar is
 * built on, without rxpulsar (no batching, codec, mailbox or routing), to
 * tell the cost of the transport from the cost of the layers above it.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IPCModule, type IPCClient } from 'node-ipc';
import { endChild, firstMessage, fixture } from './fixture.js';

const ID = 'bench';

/**
 * A bare node-ipc echo channel to a child process.
 *
 * @example
 * ```ts
 * const echo = await NodeIpcEcho.start();
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class NodeIpcEcho {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly ipc: IPCModule,
    private readonly client: IPCClient,
    private readonly dir: string,
  ) {
    client.on('m', (msg: { id: number; p: unknown }) => {
      const resolve = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      resolve?.(msg.p);
    });
  }

  /** Fork the node-ipc echo server in a temp dir and connect to it. */
  static async start(): Promise<NodeIpcEcho> {
    const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-bench-'));
    const path = join(dir, 'ipc.sock');
    const child = fork(fixture('node-ipc-echo'), [path], { stdio: 'inherit' });
    const ipc = new IPCModule();
    Object.assign(ipc.config, { silent: true, logInColor: false, maxRetries: 0 });
    try {
      await firstMessage(child);
      const client = await new Promise<IPCClient>((resolve, reject) => {
        ipc.connectTo(ID, path, () => {
          const c = ipc.of[ID];
          if (c === undefined) return reject(new Error('node-ipc gave no client'));
          c.on('connect', () => resolve(c));
          c.on('error', (err: Error) => reject(err));
        });
      });
      return new NodeIpcEcho(child, ipc, client, dir);
    } catch (err) {
      ipc.disconnect(ID);
      await endChild(child);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** @param payload - echoed back by the child. */
  readonly request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.client.emit('m', { id, p: payload });
    });

  /** Disconnect, end the child, remove the temp dir. */
  async close(): Promise<void> {
    this.ipc.disconnect(ID);
    await endChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
