/**
 * What the server apps (HTTP, TCP) share: a listening server in every
 * worker process, one bind for all (a free port chosen once for `:0`), a
 * graceful close, and the address known in the arbiter.
 * @module
 */
import { Server as HttpServerClass } from 'node:http';
import type { Server } from 'node:net';
import type { Actor } from '../actor/Actor.js';
import type { Monitor } from '../monitor/Monitor.js';
import { Application } from '../application/Application.js';
import type { ValueProblem } from '../application/checkAppConfig.js';
import type { Schema } from '../config/Setting.js';
import {
  serverSettings,
  type ApplicationConfig,
  type ServerAppConfig,
} from '../config/settings.js';
import { drained, listen, pickPort, stopListening } from './listen.js';
import { parseBind } from './parseBind.js';
import { reclaimSocket } from './reclaimSocket.js';

/** The command a worker stops accepting with. */
const STOP_LISTENING = 'stopListening';
/** How long the stop of an app waits for its workers to stop accepting, at most (ms). */
const STOP_LISTENING_MS = 3_000;

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
 * the server (`createServer`) and say how its connections drain and are dropped.
 *
 * @example
 * ```ts
 * class Daytime extends ServerApp {
 *   protected createServer() { return net.createServer((s) => s.end(new Date().toString())); }
 *   protected beginDrain() {}
 *   protected closeAll() { return []; }
 * }
 * ```
 */
export abstract class ServerApp extends Application {
  /** The listener of a server: `callable` (HttpServer), `protocol` (SocketServer). */
  static override constructorParams: readonly string[] = ['callable', 'protocol'];
  /** `bind`, `backlog`, `keepAlive`: settings of server apps only. */
  static override settings: Schema = serverSettings;
  /** The configuration, with the server settings typed too. */
  declare cfg: ServerAppConfig;
  /** The server, in a worker. */
  server: Server | undefined;
  /** Where it listens (`host:port`), once started (in the arbiter and in workers). */
  address: string | undefined;
  /** When this worker's stop began (its gracefulTimeout counts from there). */
  private stopBegan: number | undefined;

  /** Make the server of a worker (not listening yet). */
  protected abstract createServer(worker: Actor): Server;

  /** Begin to drain: open connections are asked to close once their current request is answered. */
  protected abstract beginDrain(): void;

  /** The drain is over (every connection closed, or cut). */
  protected endDrain(): void {}

  /**
   * Drop every open connection (the graceful time ran out).
   * @returns what was cut, for the log (request lines, connections).
   */
  protected abstract closeAll(): string[];

  override async workerStart(worker: Actor): Promise<void> {
    const server = this.createServer(worker);
    this.server = server;
    this.address = await listen(server, this.cfg.bind, this.cfg.backlog);
    worker.extra['address'] = this.address;
    worker.extra['url'] = urlOf(this.address, server instanceof HttpServerClass ? 'http' : 'tcp');
    // The first step of a graceful stop of the whole app (see monitorStopping).
    worker.command(STOP_LISTENING, () => {
      this.stopBegan ??= Date.now();
      return stopListening(server);
    });
  }

  /**
   * A worker stops (the app stops, or the worker is replaced): stop
   * accepting, drain the open connections, let requests in flight finish
   * for up to `gracefulTimeout`, then cut what is left and say so.
   */
  override async workerStopping(worker: Actor): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    const began = (this.stopBegan ??= Date.now());
    await stopListening(server);
    this.beginDrain();
    const graceMs = Number(this.cfg['gracefulTimeout'] ?? 30_000);
    if (!(await drained(server, began + graceMs - Date.now()))) {
      const cut = this.closeAll();
      worker.logger.warn(
        `gracefulTimeout (${graceMs} ms) ran out: cut ${cut.length} ` +
          `${cut.length === 1 ? 'request' : 'requests'} in flight` +
          (cut.length > 0 ? `: ${cut.slice(0, 10).join(', ')}${cut.length > 10 ? ', …' : ''}` : ''),
      );
    }
    this.endDrain();
  }

  /**
   * The app stops: every worker stops accepting first, so that the
   * listening socket is closed before any open connection is asked to close
   * (its client then finds the port closed, instead of a connection that
   * is reset once the last worker is gone).
   */
  override async monitorStopping(monitor: Monitor): Promise<void> {
    const all = Promise.all(
      monitor.managedActors.map((proxy) =>
        monitor.send(proxy, STOP_LISTENING).then(undefined, () => undefined),
      ),
    );
    // A worker that does not answer (busy, stuck) does not hold the stop.
    let timer: NodeJS.Timeout | undefined;
    const limit = Math.min(Number(this.cfg['gracefulTimeout'] ?? 30_000), STOP_LISTENING_MS);
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, limit)))]);
    clearTimeout(timer);
  }

  /**
   * Workers get `gracefulTimeout` for their requests in flight, then
   * `exitTimeout` to exit: the arbiter waits for both before it kills one.
   */
  override actorParams(_monitor: Monitor, params: Record<string, unknown>): void {
    const graceful = Number(this.cfg['gracefulTimeout'] ?? 30_000);
    const exit = Number(params['exitTimeout'] ?? this.cfg['exitTimeout'] ?? 5_000);
    params['exitTimeout'] = graceful + exit;
  }

  override workerInfo(_worker: Actor, info: Record<string, unknown>): void {
    info['address'] = this.address;
  }

  /** A server needs process workers: threads cannot share a listening socket. */
  override configProblems(cfg: ApplicationConfig): ValueProblem[] {
    const problems = super.configProblems(cfg);
    if (cfg.concurrency === 'thread') {
      problems.push({
        key: 'concurrency',
        expected: `must be "process" for a server app: worker threads cannot share a listening socket`,
      });
    }
    return problems;
  }

  protected override async configure(cfg: ServerAppConfig): Promise<void> {
    cfg.bind = await pickPort(cfg.bind);
    // The arbiter binds for its workers (cluster): a stale socket file of a
    // killed arbiter goes here, once, before any worker asks; workers that
    // each found it at once would race to remove it (see listen()).
    const address = parseBind(cfg.bind);
    if ('path' in address) await reclaimSocket(address.path);
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
