/**
 * Two ends of one Unix-socket connection, made by the arbiter to hand to
 * two process actors (Node has no `socketpair()`): a server listens on a
 * fresh path in the hub's private runtime folder, accepts one connection
 * and closes. Neither end is read here (a byte read by this process before
 * its end is handed over would be lost): the connecting end writes a
 * greeting, which the final owner of the accepted end checks (should
 * someone else have connected first, it will not know the greeting).
 * @module
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { TimeoutError } from '../errors.js';
import { checkSocketPath } from '../util/checkSocketPath.js';

/** Pairs made by this process: each one's socket has a name of its own. */
let pairs = 0;

/**
 * Make a connected pair of sockets.
 *
 * @param dir - a private folder (mode 0700) for the short-lived listening socket.
 * @param greeting - written first by the connecting end, to the accepted one.
 * @param timeoutMs - give up after this long.
 * @returns the connecting end and the accepted end, neither of them read from
 *   (rejected with a ListenError when the folder's path is too long for a socket).
 * @example
 * ```ts
 * const [one, other] = await socketPair(dirname(hub.path), proof);
 * ```
 */
export function socketPair(
  dir: string,
  greeting: string,
  timeoutMs = 5_000,
): Promise<[Socket, Socket]> {
  // Unique in the folder, and (for 60 million pairs) no longer than `hub.sock`,
  // whose path the hub checked at start: Node would cut a longer one (see checkSocketPath).
  const path = join(dir, `p${(++pairs).toString(36)}.s`);
  return new Promise((resolve, reject) => {
    checkSocketPath(path, 'socket pair');
    let client: Socket | undefined;
    let accepted: Socket | undefined;
    let written = false;
    let done = false;
    const finish = (err?: Error): void => {
      if (done || (err === undefined && (accepted === undefined || !written))) return;
      done = true;
      clearTimeout(timer);
      server.close();
      rmSync(path, { force: true });
      if (err !== undefined || client === undefined || accepted === undefined) {
        client?.destroy();
        accepted?.destroy();
        reject(err ?? new Error('no socket pair'));
        return;
      }
      resolve([client, accepted]);
    };
    const timer = setTimeout(
      () => finish(new TimeoutError(`no socket pair within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      if (done || accepted !== undefined) {
        socket.destroy();
        return;
      }
      socket.on('error', () => socket.destroy());
      // Handed to a child as a bare connection, not one of this server's.
      (socket as unknown as { server: unknown }).server = null;
      accepted = socket;
      finish();
    });
    server.on('error', (err) => finish(err));
    server.listen(path, () => {
      client = connect(path);
      client.pause(); // not even the first read: the bytes are the peer's
      client.on('error', (err) => finish(err));
      client.write(greeting, () => {
        written = true;
        finish();
      });
    });
  });
}
