/**
 * Listen and close, as promises, for servers run by worker actors.
 * @module
 */
import { Server as NetServer, type Server } from 'node:net';
import { parseBind, type BindAddress } from './parseBind.js';
import { reclaimSocket } from './reclaimSocket.js';

/** Listen once; rejected with the system's error. */
function listenOnce(server: Server, address: BindAddress, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ ...address, backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The system's error (its `code`, `errno`, `syscall`, `address` kept), its message ending with a hint. */
function withHint(err: Error, hint: string): Error {
  const first = err.message;
  err.message = `${first}: ${hint}`;
  err.stack = err.stack?.replace(first, err.message);
  return err;
}

/**
 * Listen on a `bind` setting. In a process actor (a cluster worker) the
 * listening socket is the arbiter's, shared by every worker of the app.
 *
 * A socket path taken (EADDRINUSE) by a stale socket, one nobody listens
 * on (its server was killed), is removed and the bind tried again, once
 * (see {@link reclaimSocket}); otherwise the error stays, saying why: another
 * process listens there, or the path is not a socket (never removed). A
 * server app's arbiter, which binds for its workers, does this once before
 * they start (`ServerApp.configure`).
 *
 * @param server - an `http` or `net` server.
 * @param bind - the `bind` setting.
 * @param backlog - the `backlog` setting.
 * @returns the address it listens on (`host:port`, the actual port for `:0`).
 * @example
 * ```ts
 * await listen(createServer(handler), '/run/app.sock', 511); // '/run/app.sock'
 * ```
 */
export async function listen(server: Server, bind: string, backlog: number): Promise<string> {
  const address = parseBind(bind);
  try {
    await listenOnce(server, address, backlog);
  } catch (err) {
    if (!('path' in address) || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const hint = await reclaimSocket(address.path);
    if (hint !== undefined) throw withHint(err as Error, hint);
    await listenOnce(server, address, backlog);
  }
  const actual = server.address();
  return typeof actual === 'string' || actual === null ? bind : `${actual.address}:${actual.port}`;
}

/**
 * How long a worker that stopped listening stays before it may exit, in ms:
 * the arbiter may have handed it a connection just before it learnt that
 * the worker stopped listening, and the worker hands it back (a cluster
 * worker that exits first leaves that client hanging).
 */
export const HANDBACK_MS = 150;

/**
 * Stop accepting connections, and keep the open ones (an `http` server's
 * own `close()` also closes its idle keep-alive connections, under requests
 * that may be on their way: this one does not).
 *
 * @param server - the server.
 * @returns a promise fired {@link HANDBACK_MS} later, once late connections were handed back.
 * @example
 * ```ts
 * await stopListening(server); // open connections still served
 * ```
 */
export async function stopListening(server: Server): Promise<void> {
  if (!server.listening) return;
  // net.Server's close, not http.Server's (which closes idle connections).
  NetServer.prototype.close.call(server);
  await new Promise((resolve) => setTimeout(resolve, HANDBACK_MS));
}

/**
 * Wait until a server that stopped listening has no connection left.
 *
 * @param server - the server (closed by {@link stopListening}).
 * @param ms - how long to wait at most.
 * @returns `true` once every connection closed, `false` after `ms`.
 * @example
 * ```ts
 * if (!(await drained(server, 30_000))) cutTheRest();
 * ```
 */
export function drained(server: Server, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const count = (): Promise<number> =>
      new Promise((done) => server.getConnections((_err, n) => done(n ?? 0)));
    const deadline = Date.now() + ms;
    const check = (): void => {
      void count().then((n) => {
        if (n === 0) resolve(true);
        else if (Date.now() >= deadline) resolve(false);
        else setTimeout(check, Math.min(50, Math.max(1, deadline - Date.now())));
      });
    };
    check();
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
