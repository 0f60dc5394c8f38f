/**
 * The node agent of `rxpulsar join`: it connects to an arbiter's TLS hub,
 * proves the shared secret, offers `workers` slots to one app's pool, and
 * starts here the workers the arbiter places on it (as local cluster
 * processes, which connect to the hub over TLS themselves). It reports their
 * pid and exit, and pings every heartbeat. When it loses the arbiter (the
 * connection closes, or two heartbeats pass in silence) it tries to join
 * again, with backoff ({@link rejoinDelay}); if it is back within
 * `fenceTimeout` ms, it stops the workers of the lost session (the arbiter
 * has declared them gone) and offers its slots again, under the same node
 * id, so that the arbiter gives the slots back instead of growing the pool.
 * Otherwise it stops its workers (fencing: no split brain serving on its
 * own) and ends.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type winston from 'winston';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import type { ChildData, HubTls } from '../child/ChildData.js';
import { FrameReader } from '../transport/FrameReader.js';
import { startChild } from '../child/startWorker.js';
import { connectTls } from '../transport/tlsConnect.js';

/** Settings of a node agent. */
export interface JoinOptions {
  /** The hub, `tls://HOST:PORT`. */
  url: string;
  /** The app whose pool the workers join. */
  app: string;
  /** How many. */
  workers: number;
  /** The secret file, and the CA and client certificate files if any. */
  tls: HubTls;
  /** Stop the workers this many ms after losing the arbiter. */
  fenceTimeout: number;
  logger: winston.Logger;
}

/**
 * How long to wait before the `attempt`-th try to join again: 250 ms,
 * doubling up to 5 s, each within ±20 % (so that the nodes of a restarted
 * arbiter do not all come back at the same instant).
 *
 * @param attempt - 0 for the first try.
 * @param random - a number in [0, 1) (default `Math.random()`).
 * @returns the delay in ms.
 * @example
 * ```ts
 * rejoinDelay(0, 0.5); // 250
 * rejoinDelay(10, 0.5); // 5000
 * ```
 */
export function rejoinDelay(attempt: number, random = Math.random()): number {
  const base = Math.min(250 * 2 ** Math.min(attempt, 10), 5000);
  return Math.round(base * (0.8 + 0.4 * random));
}

/**
 * A node agent.
 *
 * @example
 * ```ts
 * const agent = new JoinAgent({ url, app: 'web', workers: 2, tls: { secretFile }, fenceTimeout: 5000, logger });
 * await agent.start();
 * process.exitCode = await agent.done;
 * ```
 */
export class JoinAgent {
  /** Resolves with the exit code once the agent ended (0: stopped, 1: lost or refused). */
  readonly done: Promise<number>;
  /** This node's id for the arbiter (the same on every rejoin of this agent). */
  readonly node = randomUUID();
  private finish!: (code: number) => void;
  private socket: TLSSocket | undefined;
  private readonly workers = new Map<string, WorkerHandle>();
  private timer: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastSeen = Date.now();
  private ending = false;

  /** @param options - hub, app, count, files, fencing, logger. */
  constructor(private readonly options: JoinOptions) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /**
   * Connect and authenticate.
   * @throws ProtocolError (wrong secret, another protocol version…) or a connection error.
   */
  async start(): Promise<void> {
    await this.join(10_000);
    const { url, app, workers, logger } = this.options;
    logger.info(`joined ${url}: ${workers} workers of app "${app}"`);
  }

  /** Stop the workers and leave (SIGTERM, SIGINT). */
  async stop(): Promise<void> {
    await this.end(0, 'stopping');
  }

  /** Connect, prove the secret, offer the slots, listen. */
  private async join(timeout: number): Promise<void> {
    const { url, app, workers, tls, fenceTimeout } = this.options;
    const claim = { as: 'agent', app, workers, node: this.node, fence: fenceTimeout };
    const { socket, claim: hub, rest } = await connectTls(url, tls, claim, timeout);
    if (this.ending) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.lastSeen = Date.now();
    const heartbeat = typeof hub['heartbeat'] === 'number' ? hub['heartbeat'] : 5000;
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (this.socket === socket) this.lost('the connection closed');
    });
    const reader = new FrameReader('\n');
    socket.on('data', (chunk: string) => {
      this.lastSeen = Date.now();
      reader.feed(chunk, (line) => this.receive(line));
    });
    if (rest !== '') socket.emit('data', rest);
    this.timer = setInterval(() => {
      if (Date.now() - this.lastSeen > 2 * heartbeat) {
        this.lost(`no word for more than ${2 * heartbeat} ms`);
      } else this.write({ op: 'ping' });
    }, heartbeat);
  }

  private write(op: Record<string, unknown>): void {
    const socket = this.socket;
    if (socket !== undefined && !socket.destroyed) socket.write(`${JSON.stringify(op)}\n`);
  }

  private receive(line: string): boolean {
    let op: Record<string, unknown>;
    try {
      op = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.socket?.destroy();
      return false;
    }
    if (op['op'] === 'spawn') this.spawn(op['data'] as ChildData);
    else if (op['op'] === 'kill' && typeof op['aid'] === 'string') {
      this.workers.get(op['aid'])?.kill(op['signal'] as NodeJS.Signals);
    } else if (op['op'] === 'refused') {
      this.options.logger.error(`the arbiter refused this node: ${String(op['error'])}`);
      void this.end(1, 'refused');
      return false;
    }
    return true;
  }

  private spawn(data: ChildData): void {
    if (this.ending) return;
    const { url, tls } = this.options;
    let worker: WorkerHandle;
    try {
      worker = startChild({ ...data, hub: url, hubTls: tls });
    } catch (err) {
      this.write({ op: 'exit', aid: data.aid, exitCode: 1, signal: null, error: String(err) });
      return;
    }
    this.workers.set(data.aid, worker);
    this.write({ op: 'started', aid: data.aid, pid: worker.pid });
    worker.exit$.subscribe(({ exitCode, signal }) => {
      this.workers.delete(data.aid);
      this.write({ op: 'exit', aid: data.aid, exitCode, signal });
    });
  }

  /** The arbiter is lost: fence after `fenceTimeout`, try to join again meanwhile. */
  private lost(why: string): void {
    if (this.ending || this.socket === undefined) return;
    const { fenceTimeout, logger } = this.options;
    logger.warn(
      `lost the arbiter (${why}): joining again; stopping the workers in ${fenceTimeout} ms unless it comes back`,
    );
    clearInterval(this.timer);
    this.socket.destroy();
    this.socket = undefined;
    this.fence ??= setTimeout(() => void this.end(1, 'fenced'), fenceTimeout);
    this.rejoin(0);
  }

  /** Try to join again after the `attempt`-th backoff. */
  private rejoin(attempt: number): void {
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.ending) return;
      const stale = [...this.workers.values()];
      this.join(5_000).then(
        () => {
          if (this.ending) return;
          clearTimeout(this.fence);
          this.fence = undefined;
          const { url, logger } = this.options;
          logger.info(
            `joined ${url} again (attempt ${attempt + 1}): stopping ${stale.length} workers of the lost session`,
          );
          for (const worker of stale) void worker.terminate(5_000);
        },
        (err: unknown) => {
          if (this.ending) return;
          this.options.logger.debug(`joining again failed: ${String(err)}`);
          this.rejoin(attempt + 1);
        },
      );
    }, rejoinDelay(attempt));
  }

  private async end(code: number, why: string): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    clearInterval(this.timer);
    clearTimeout(this.fence);
    clearTimeout(this.retry);
    const workers = [...this.workers.values()];
    if (workers.length > 0) this.options.logger.info(`${why}: stopping ${workers.length} workers`);
    await Promise.all(workers.map((w) => w.terminate(5_000)));
    this.socket?.destroy();
    this.finish(code);
  }
}
