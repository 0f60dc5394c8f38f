/**
 * An HTTP server whose requests are served by worker processes sharing one
 * listening socket (the arbiter's, through Node's cluster).
 * @module
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Actor } from '../../actor/Actor.js';
import type { ApplicationParams } from '../../application/Application.js';
import { ServerApp } from '../ServerApp.js';
import { HttpConnections } from './HttpConnections.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The request listener threw, or its promise rejected: log it with the
 * request line, answer 500 (or cut the response if it had begun); the
 * worker goes on serving.
 */
function failed(worker: Actor, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
  worker.logger.error(`${req.method ?? '?'} ${req.url ?? '?'} failed: ${why}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = 'Internal Server Error';
  res.writeHead(500, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

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
 * (or the replacement of a worker) drains: the worker stops accepting,
 * answers the requests that still come on open keep-alive connections with
 * `Connection: close`, closes connections idle for a second, and lets the
 * requests in flight finish (up to `gracefulTimeout`). A listener that
 * throws, or returns a promise that rejects, gets a 500 answer and a log
 * line with the request; the worker goes on.
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
  private connections: HttpConnections | undefined;

  /** @param params - the listener, settings (`bind`, `backlog`, `keepAlive`, `workers`…). */
  constructor(params: HttpServerParams) {
    super(params);
    this.callable = params.callable;
  }

  protected createServer(worker: Actor): Server {
    const listener = this.callable;
    const server = createServer();
    const connections = new HttpConnections(server);
    this.connections = connections;
    // Under --debug every request is logged with its status and time (the level is set by then).
    const debug = worker.logger.isDebugEnabled();
    server.on('request', (req, res) => {
      worker.beginRequest();
      // With its start time for the metrics' latency histogram, read only when recorded.
      const timed = debug || worker.recordsLatency;
      const started = timed ? performance.now() : undefined;
      res.on('close', () => worker.endRequest(started));
      if (debug) {
        res.on('finish', () => {
          const ms = (performance.now() - started!).toFixed(1);
          worker.logger.debug(`${req.method ?? '?'} ${req.url ?? '?'} ${res.statusCode} ${ms} ms`);
        });
      }
      connections.request(req, res);
      try {
        const result: unknown = listener(req, res);
        if (isThenable(result))
          result.then(undefined, (err: unknown) => failed(worker, req, res, err));
      } catch (err) {
        failed(worker, req, res, err);
      }
    });
    server.keepAliveTimeout = Number(this.cfg['keepAlive'] ?? 5000);
    return server;
  }

  protected beginDrain(): void {
    this.connections?.drain();
  }

  protected override endDrain(): void {
    this.connections?.stopReaping();
  }

  protected closeAll(): string[] {
    return this.connections?.closeAll() ?? [];
  }
}
