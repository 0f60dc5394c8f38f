/**
 * A TCP server whose connections are served by worker processes sharing one
 * listening socket, one protocol instance per connection.
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Actor } from '../../actor/Actor.js';
import type { ApplicationParams } from '../../application/Application.js';
import { ServerApp } from '../ServerApp.js';

/** Makes the protocol of one connection: called once per connection, in a worker. */
export type ProtocolFactory = (socket: Socket, worker: Actor) => unknown;

/** Parameters of a {@link SocketServer}. */
export interface SocketServerParams extends ApplicationParams {
  /** The protocol factory, built again in every worker by the app's module. */
  protocol: ProtocolFactory;
}

/**
 * A TCP server (`bind`, `backlog`, `keepAlive`) served by worker actors.
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
  private readonly sockets = new Set<Socket>();

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
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        done();
      });
      if (keepAlive > 0) socket.setKeepAlive(true, keepAlive);
      try {
        this.protocol(socket, worker);
      } catch (err) {
        worker.logger.error(`protocol failed: ${String(err)}`);
        socket.destroy();
      }
    });
  }

  protected closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
