/**
 * The raw TLS baseline: a child echo server on 127.0.0.1 over TLS (see
 * {@link LineEcho}).
 * @module
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { endChild, firstMessage, fixture } from './fixture.js';
import { LineEcho } from './LineEcho.js';

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
export const TlsEcho = {
  /**
   * Fork the echo server and connect to it.
   * @param cert - PEM certificate file (also the CA the client trusts).
   * @param key - PEM key file.
   * @returns the channel.
   */
  async start(cert: string, key: string): Promise<LineEcho> {
    const child = fork(fixture('tls-echo'), [cert, key], { stdio: 'inherit' });
    try {
      const port = (await firstMessage(child)) as number;
      const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(cert) });
      socket.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      return new LineEcho(child, socket);
    } catch (err) {
      await endChild(child);
      throw err;
    }
  },
};
