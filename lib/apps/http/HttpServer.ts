/**
 * An HTTP server whose requests are served by worker processes sharing one
 * listening socket (the arbiter's, through Node's cluster).
 * @module
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Actor } from '../../actor/Actor.js';
import type { ApplicationParams } from '../../application/Application.js';
import { ServerApp } from '../ServerApp.js';

/** Parameters of an {@link HttpServer}. */
export interface HttpServerParams extends ApplicationParams {
  /**
   * The request listener: a plain `(req, res)` handler, an Express app, a
   * Koa `app.callback()`… Built again in every worker, by the app's module.
   */
  callable: RequestListener;
}

/**
 * Serve any Node request listener from worker processes. A graceful stop
 * stops accepting, lets the requests in flight finish and closes idle
 * keep-alive connections.
 *
 * @example
 * ```ts
 * const app = new HttpServer({
 *   name: 'helloworld',
 *   callable: (req, res) => res.end('Hello World!'),
 *   workers: 2,
 *   bind: '127.0.0.1:8060',
 *   module: import.meta.url,
 * });
 * await app.start();
 * ```
 */
export class HttpServer extends ServerApp {
  declare server: Server | undefined;
  private readonly callable: RequestListener;

  /** @param params - the listener, settings (`bind`, `backlog`, `keepAlive`, `workers`…). */
  constructor(params: HttpServerParams) {
    super(params);
    this.callable = params.callable;
  }

  protected createServer(worker: Actor): Server {
    const listener = this.callable;
    const server = createServer((req, res) => {
      worker.beginRequest();
      // With its start time, for the latency histogram of the metrics.
      const started = performance.now();
      res.on('close', () => worker.endRequest(started));
      listener(req, res);
    });
    server.keepAliveTimeout = Number(this.cfg['keepAlive'] ?? 5000);
    return server;
  }

  protected closeAll(): void {
    this.server?.closeAllConnections();
  }
}
