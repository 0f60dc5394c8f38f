/**
 * Listen and close, as promises, for servers run by worker actors.
 * @module
 */
import type { Server } from 'node:net';
import { parseBind } from './parseBind.js';

/**
 * Listen on a `bind` setting. In a process actor (a cluster worker) the
 * listening socket is the arbiter's, shared by every worker of the app.
 *
 * @param server - an `http` or `net` server.
 * @param bind - the `bind` setting.
 * @param backlog - the `backlog` setting.
 * @returns the address it listens on (`host:port`, the actual port for `:0`).
 */
export function listen(server: Server, bind: string, backlog: number): Promise<string> {
  const address = parseBind(bind);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ ...address, backlog }, () => {
      server.off('error', reject);
      const actual = server.address();
      resolve(
        typeof actual === 'string' || actual === null ? bind : `${actual.address}:${actual.port}`,
      );
    });
  });
}

/** How long a closed server's worker stays to hand back late connections. */
const HANDBACK_MS = 150;

/**
 * Stop accepting, let open requests finish, close idle keep-alive
 * connections; after `graceMs`, close every connection.
 *
 * @param server - the server.
 * @param graceMs - how long open requests may take.
 * @param closeAll - closes every connection (for http: `server.closeAllConnections()`).
 * @returns a promise fired once the server is closed.
 */
export function close(server: Server, graceMs: number, closeAll: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const timer = setTimeout(closeAll, graceMs);
    server.close(() => {
      clearTimeout(timer);
      // The arbiter may have handed this worker a connection just before it
      // learnt that the server closed: stay a moment to hand it back (a
      // cluster worker that exits first leaves that client hanging).
      setTimeout(resolve, HANDBACK_MS);
    });
  });
}

/**
 * A `bind` with port 0 gets a free port, chosen once in the arbiter: every
 * worker of the app must listen on the same one (cluster would otherwise
 * share port-0 sockets between apps).
 *
 * @param bind - the `bind` setting.
 * @returns the same bind, or `host:port` with a free port.
 */
export async function pickPort(bind: string): Promise<string> {
  const address = parseBind(bind);
  if (!('port' in address) || address.port !== 0) return bind;
  const { createServer } = await import('node:net');
  const probe = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host: address.host, port: 0 }, () => {
      const actual = probe.address();
      resolve(typeof actual === 'object' && actual !== null ? actual.port : 0);
    });
  });
  await new Promise((resolve) => probe.close(resolve));
  return address.host.includes(':') ? `[${address.host}]:${port}` : `${address.host}:${port}`;
}
