/**
 * The raw Unix-socket baseline: a child echo server on a socket in a temp
 * folder (see {@link LineEcho}).
 * @module
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endChild, firstMessage, fixture } from './fixture.js';
import { LineEcho } from './LineEcho.js';

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
export const SocketEcho = {
  /** @returns the channel, once connected to the forked echo server. */
  async start(): Promise<LineEcho> {
    const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-bench-'));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    const path = join(dir, 'echo.sock');
    const child = fork(fixture('socket-echo'), [path], { stdio: 'inherit' });
    try {
      await firstMessage(child);
      const socket = connect(path);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      return new LineEcho(child, socket, removeDir);
    } catch (err) {
      await endChild(child);
      removeDir();
      throw err;
    }
  },
};
