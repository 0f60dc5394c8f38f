/**
 * The connections of one HTTP server in a worker, and how they drain.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { linger } from './linger.js';

/**
 * How long a keep-alive connection must have been idle before a drain closes
 * it, in ms. A client may be sending its next request on it right now: a
 * busy connection is closed by its next response instead (`Connection:
 * close`), so only a connection idle this long is closed under it.
 */
export const IDLE_GRACE_MS = 1_000;
/** How often a drain looks for idle connections, in ms. */
const REAP_EVERY_MS = 100;

interface Connection {
  /** Requests begun and not yet answered on it. */
  active: number;
  /** Its latest request. */
  req?: IncomingMessage;
  /** When it last became idle (or connected). */
  idleSince: number;
}

/**
 * Tracks the connections and requests of an HTTP server so that a drain
 * loses no request: once {@link HttpConnections.drain} is called, every
 * response not yet begun says `Connection: close` (the client opens a new
 * connection, to a server that still listens), and a connection is closed
 * only once idle for {@link IDLE_GRACE_MS}, never while a request is on it.
 * A connection closed under a request body still coming lingers (see
 * {@link linger}): the client reads the answer, not a reset.
 *
 * @example
 * ```ts
 * const connections = new HttpConnections(server);
 * server.on('request', (req, res) => connections.request(req, res));
 * connections.drain(); // on stop
 * ```
 */
export class HttpConnections {
  private readonly sockets = new Map<Socket, Connection>();
  private readonly requests = new Map<ServerResponse, string>();
  private draining = false;
  private reaper: NodeJS.Timeout | undefined;

  /** @param server - the server whose connections are tracked. */
  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      const connection: Connection = { active: 0, idleSince: Date.now() };
      this.sockets.set(socket, connection);
      socket.once('close', () => this.sockets.delete(socket));
      // Node closes a connection as soon as an answer that ends it is
      // written (`Connection: close`, or a body left unread): linger instead
      // while the client still sends its body, so that it reads the answer.
      const destroySoon = socket.destroySoon.bind(socket);
      socket.destroySoon = (): void => {
        const req = connection.req;
        if (req !== undefined && !req.complete && !socket.destroyed) linger(req, socket);
        else destroySoon();
      };
    });
  }

  /** `true` once {@link HttpConnections.drain} was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Count a request; during a drain its response closes the connection.
   * @param req - the request.
   * @param res - its response.
   */
  request(req: IncomingMessage, res: ServerResponse): void {
    const connection = this.sockets.get(req.socket);
    if (connection !== undefined) {
      connection.active++;
      connection.req = req;
    }
    this.requests.set(res, `${req.method ?? '?'} ${req.url ?? '?'}`);
    if (this.draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      this.requests.delete(res);
      if (connection !== undefined) {
        connection.active--;
        connection.idleSince = Date.now();
      }
    });
  }

  /**
   * Begin to drain: responses not begun yet close their connection, and
   * connections idle for {@link IDLE_GRACE_MS} are closed.
   */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const res of this.requests.keys()) {
      if (!res.headersSent) res.setHeader('connection', 'close');
    }
    this.reap();
    this.reaper = setInterval(() => this.reap(), REAP_EVERY_MS);
  }

  /**
   * Destroy every connection (the graceful time ran out).
   * @returns the request lines of the requests cut.
   */
  closeAll(): string[] {
    this.stopReaping();
    const cut = [...this.requests.values()];
    for (const socket of this.sockets.keys()) socket.destroy();
    return cut;
  }

  /** Stop looking for idle connections (the drain is over). */
  stopReaping(): void {
    clearInterval(this.reaper);
    this.reaper = undefined;
  }

  private reap(): void {
    const now = Date.now();
    for (const [socket, connection] of this.sockets) {
      if (connection.active === 0 && now - connection.idleSince >= IDLE_GRACE_MS) {
        socket.destroy();
      }
    }
  }
}
