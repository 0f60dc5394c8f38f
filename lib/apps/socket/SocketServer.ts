/**
 * A TCP server whose connections are served by worker processes sharing one
 * listening socket, one protocol instance per connection.
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Actor } from '../../actor/Actor.js';
import type { ApplicationParams } from '../../application/Application.js';
import { ServerApp } from '../ServerApp.js';

/**
 * Makes the protocol of one connection: called once per connection, in a
 * worker. It may return an object with a `drain()` method: a graceful stop
 * calls it on every open connection, and the protocol ends its connection
 * where its clients expect it (after the current reply, with a goodbye…).
 * A protocol without one has its connection ended at once (`socket.end()`:
 * the client reads the end of the stream). Connections still open after
 * `gracefulTimeout` are destroyed.
 */
export type ProtocolFactory = (socket: Socket, worker: Actor) => unknown;

/** What a protocol may return: something to drain. */
interface Drainable {
  drain(): void;
}

function isDrainable(value: unknown): value is Drainable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Drainable>).drain === 'function'
  );
}

/** Parameters of a {@link SocketServer}. */
export interface SocketServerParams extends ApplicationParams {
  /** The protocol factory, built again in every worker by the app's module. */
  protocol: ProtocolFactory;
}

/**
 * A TCP server (`bind`, `backlog`, `keepAlive`) served by worker actors.
 * A graceful stop (or the replacement of a worker) stops accepting, calls
 * the `drain()` of every connection's protocol (or ends the connection if
 * it has none), and waits for the connections to close, up to
 * `gracefulTimeout`.
 *
 * @example
 * ```ts
 * const echo = new SocketServer({
 *   name: 'echo',
 *   protocol: (socket) => socket.pipe(socket),
 *   bind: '127.0.0.1:8070',
 *   module: import.meta.url,
 * });
 * await echo.start();
 * ```
 */
export class SocketServer extends ServerApp {
  private readonly protocol: ProtocolFactory;
  private readonly sockets = new Map<Socket, Drainable | undefined>();
  private draining = false;

  /** @param params - the protocol factory and settings. */
  constructor(params: SocketServerParams) {
    super(params);
    this.protocol = params.protocol;
  }

  override workerInfo(worker: Actor, info: Record<string, unknown>): void {
    super.workerInfo(worker, info);
    info['connections'] = this.sockets.size;
  }

  protected createServer(worker: Actor): Server {
    const keepAlive = Number(this.cfg['keepAlive'] ?? 0);
    return createServer((socket) => {
      const done = worker.trackRequest();
      this.sockets.set(socket, undefined);
      socket.once('close', () => {
        this.sockets.delete(socket);
        done();
      });
      if (keepAlive > 0) socket.setKeepAlive(true, keepAlive);
      try {
        const protocol = this.protocol(socket, worker);
        if (isDrainable(protocol)) this.sockets.set(socket, protocol);
        if (this.draining) this.drainOne(socket);
      } catch (err) {
        worker.logger.error(`protocol failed: ${String(err)}`);
        socket.destroy();
      }
    });
  }

  protected beginDrain(): void {
    this.draining = true;
    for (const socket of this.sockets.keys()) this.drainOne(socket);
  }

  protected closeAll(): string[] {
    const cut = [...this.sockets.keys()].map(
      (socket) => `connection from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    );
    for (const socket of this.sockets.keys()) socket.destroy();
    return cut;
  }

  private drainOne(socket: Socket): void {
    const protocol = this.sockets.get(socket);
    if (protocol === undefined) {
      socket.end();
      return;
    }
    try {
      protocol.drain();
    } catch (err) {
      this.worker?.logger.error(`protocol drain failed: ${String(err)}`);
      socket.end();
    }
  }
}
