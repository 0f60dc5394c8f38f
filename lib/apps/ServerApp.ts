/**
 * What the server apps (HTTP, TCP) share: a listening server in every
 * worker process, one bind for all (a free port chosen once for `:0`), a
 * graceful close, and the address known in the arbiter.
 * @module
 */
import type { Server } from 'node:net';
import type { Actor } from '../actor/Actor.js';
import { Application } from '../application/Application.js';
import type { ValueProblem } from '../application/checkAppConfig.js';
import { close, listen, pickPort } from './listen.js';

/**
 * Base class of {@link HttpServer} and {@link SocketServer}: subclasses make
 * the server (`createServer`) and say how to drop its connections.
 *
 * @example
 * ```ts
 * class Daytime extends ServerApp {
 *   protected createServer() { return net.createServer((s) => s.end(new Date().toString())); }
 * }
 * ```
 */
export abstract class ServerApp extends Application {
  /** The listener of a server: `callable` (HttpServer), `protocol` (SocketServer). */
  static override constructorParams: readonly string[] = ['callable', 'protocol'];
  /** The server, in a worker. */
  server: Server | undefined;
  /** Where it listens (`host:port`), once started (in the arbiter and in workers). */
  address: string | undefined;

  /** Make the server of a worker (not listening yet). */
  protected abstract createServer(worker: Actor): Server;

  /** Drop every open connection (the graceful close ran out of time). */
  protected abstract closeAll(): void;

  override async workerStart(worker: Actor): Promise<void> {
    const server = this.createServer(worker);
    this.server = server;
    this.address = await listen(server, String(this.cfg['bind']), Number(this.cfg['backlog']));
    worker.extra['address'] = this.address;
  }

  override async workerStopping(worker: Actor): Promise<void> {
    if (this.server === undefined) return;
    await close(this.server, worker.cfg.exitTimeout * 0.8, () => this.closeAll());
  }

  override workerInfo(_worker: Actor, info: Record<string, unknown>): void {
    info['address'] = this.address;
  }

  /** A server needs process workers: threads cannot share a listening socket. */
  override configProblems(cfg: Record<string, unknown>): ValueProblem[] {
    const problems = super.configProblems(cfg);
    if (cfg['concurrency'] === 'thread') {
      problems.push({
        key: 'concurrency',
        expected: `must be "process" for a server app: worker threads cannot share a listening socket`,
      });
    }
    return problems;
  }

  protected override async configure(cfg: Record<string, unknown>): Promise<void> {
    cfg['bind'] = await pickPort(String(cfg['bind']));
  }

  protected override async started(): Promise<void> {
    const worker = this.monitor?.managedActors[0];
    if (worker === undefined) return;
    const address = await worker.send('run', (actor: Actor) => actor.extra['address']);
    this.address = typeof address === 'string' ? address : undefined;
  }
}
