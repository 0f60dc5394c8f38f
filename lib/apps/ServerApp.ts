/**
 * What the server apps (HTTP, TCP) share: a listening server in every
 * worker process, one bind for all (a free port chosen once for `:0`), a
 * graceful close, and the address known in the arbiter.
 * @module
 */
import { Server as HttpServerClass } from 'node:http';
import type { Server } from 'node:net';
import type { Actor } from '../actor/Actor.js';
import { Application } from '../application/Application.js';
import type { ValueProblem } from '../application/checkAppConfig.js';
import type { Schema } from '../config/Setting.js';
import { serverSettings } from '../config/settings.js';
import { close, listen, pickPort } from './listen.js';

/**
 * Where a server listens, for people: `http://127.0.0.1:8060`,
 * `http://[::1]:8060`, `tcp://…`, or a socket path as it is.
 *
 * @param address - `host:port` or a socket path.
 * @param scheme - `http` or `tcp`.
 * @returns the URL.
 */
function urlOf(address: string, scheme: string): string {
  if (address.includes('/') || address.includes('\\')) return address;
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const wrapped = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${wrapped}${address.slice(colon)}`;
}

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
  /** `bind`, `backlog`, `keepAlive`: settings of server apps only. */
  static override settings: Schema = serverSettings;
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
    worker.extra['url'] = urlOf(this.address, server instanceof HttpServerClass ? 'http' : 'tcp');
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
    const where = (await worker.send('run', (actor: Actor) => [
      actor.extra['address'],
      actor.extra['url'],
    ])) as unknown[];
    this.address = typeof where[0] === 'string' ? where[0] : undefined;
    if (typeof where[1] === 'string') this.monitor?.logger.info(`listening on ${where[1]}`);
  }
}
