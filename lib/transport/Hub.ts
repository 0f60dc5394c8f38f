/**
 * The arbiter's end of node-ipc: a server on a Unix socket inside a private
 * runtime folder. It accepts actor connections, guards them against hostile
 * bytes (framing, limits, the wire format: see `guardSocket`) and hands
 * envelopes to the arbiter; it writes envelopes back batched per tick. Routing is the arbiter's business.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { nodeIpc, type IPCModule } from './nodeIpc.js';
import { Subject } from '../rx.js';
import type winston from 'winston';
import { InvalidStateError, ListenError } from '../errors.js';
import { BurstLog } from '../log/BurstLog.js';
import { guardSocket, type Guard } from './guardSocket.js';
import { Outbox } from './Outbox.js';
import type { Envelope } from './protocol.js';
import { checkSocketPath } from '../util/checkSocketPath.js';
import { makeRuntimeDir, removeStaleRuntimeDirs } from '../util/runtimeDir.js';

/**
 * Largest frame a peer may send before its handshake, in characters (a
 * handshake is a few hundred): connections that have not shaken hands hold
 * at most this much of the arbiter's memory each.
 */
export const HANDSHAKE_SIZE = 64 * 1024;

/** Settings of the hub. */
export interface HubOptions {
  /** Maximum simultaneous actor connections. */
  maxConnections: number;
  /** Largest frame accepted from a peer, in characters. */
  maxMessageSize: number;
  /** A connection that sends no valid batch within this many ms is dropped. */
  handshakeTimeout: number;
  /** Where the hub logs peers it disconnects. */
  logger: winston.Logger;
}

/** A batch of valid envelopes and the connection they came on. */
export interface Incoming {
  socket: Socket;
  envelopes: Envelope[];
}

/**
 * The node-ipc server of the arbiter.
 *
 * @example
 * ```ts
 * const hub = new Hub({ maxConnections: 200, maxMessageSize: 64 << 20, logger });
 * const path = await hub.start();
 * const stop = hub.onIncoming(({ socket, envelopes }) => route(socket, envelopes));
 * ```
 */
export class Hub {
  /** Where valid batches go (see {@link Hub.onIncoming}). */
  private route: ((batch: Incoming) => void) | undefined;
  /** Set by {@link Hub.stop}: no listening again from then on. */
  private stopping = false;
  /** Connections that closed (for any reason), as each closes. */
  readonly disconnected$ = new Subject<Socket>();
  /** node-ipc, loaded and made by the first {@link Hub.listen} (see there). */
  private ipc: IPCModule | undefined;
  private readonly outboxes = new WeakMap<Socket, Outbox>();
  private readonly handshakes = new WeakMap<Socket, NodeJS.Timeout>();
  private readonly guards = new WeakMap<Socket, Guard>();
  private readonly rejections: BurstLog;
  /** Connections that came another way than the Unix socket (TLS, proved already). */
  private readonly adopted = new Set<Socket>();
  private dir: string | undefined;
  private socketPath: string | undefined;
  /** Set by the first {@link Hub.listen}. */
  private listening: Promise<void> | undefined;
  /** Whether {@link Hub.listen}'s server got bound once. */
  private bound = false;

  /** @param options - limits and logger. */
  constructor(private readonly options: HubOptions) {
    this.rejections = new BurstLog(options.logger);
  }

  /** Largest frame, in characters, accepted from a peer and sent to one. */
  get maxMessageSize(): number {
    return this.options.maxMessageSize;
  }

  /** Connections open now (actors, and peers that have not shaken hands yet). */
  get connections(): number {
    const server = this.ipc?.server;
    return (
      (server === undefined || server === false ? 0 : server.sockets.length) + this.adopted.size
    );
  }

  /**
   * Whether one more actor can connect.
   * @param connecting - actors spawned that have not connected yet.
   * @returns why not (the hub is full), or `undefined`.
   */
  full(connecting: number): string | undefined {
    const used = this.connections + connecting;
    if (used < this.options.maxConnections) return undefined;
    return (
      `the hub is full (${this.connections} connections and ${connecting} actors starting; ` +
      `maxConnections is ${this.options.maxConnections})`
    );
  }

  /** Path of the Unix socket, once started. */
  get path(): string | undefined {
    return this.socketPath;
  }

  /** Whether the socket is bound: a process actor can connect now. */
  get isListening(): boolean {
    return this.bound && this.listening !== undefined;
  }

  /**
   * Take the valid batches: one handler, called as each batch is read (a
   * Subject in between cost about as much as the routing behind it, on every
   * message). An error it throws is reported as uncaught, and the peer is not
   * blamed for it.
   *
   * @param route - gets each batch and the connection it came on.
   * @returns a function that stops handing batches to `route`.
   */
  onIncoming(route: (batch: Incoming) => void): () => void {
    this.route = route;
    return () => {
      if (this.route === route) this.route = undefined;
    };
  }

  /**
   * Create the runtime folder (mode 0700), clean stale ones, and listen
   * (unless `listen` is `false`: then the first {@link Hub.listen} does).
   * @param options - `listen: false` to make the folder and the path only.
   * @returns the socket path.
   * @throws ListenError when the path is too long for a Unix socket (a long
   *   `TMPDIR`): checked here, not at the first process actor (the folder is removed).
   */
  async start(options: { listen?: boolean } = {}): Promise<string> {
    this.stopping = false;
    removeStaleRuntimeDirs();
    const dir = makeRuntimeDir();
    const path = join(dir, 'hub.sock');
    try {
      checkSocketPath(path, 'hub');
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.dir = dir;
    this.socketPath = path;
    if (options.listen !== false) await this.listen();
    return path;
  }

  /**
   * Listen on the socket path, once (later calls return the first one's
   * promise). node-ipc is loaded here, not when the hub is made: an arbiter
   * whose actors are all threads (a test run on its main thread, a pool of
   * threads) never pays for it (~10 ms, see docs/choices.md). The socket is
   * bound when this returns (the folder is new, so there is no file to
   * unlink first), so a process spawned right after can connect.
   * A hub being stopped does not listen any more (the promise fires at once).
   * @returns a promise fired once listening; rejected when it cannot listen:
   *   ListenError (its `cause` is the system's error), or InvalidStateError
   *   when the hub is not started.
   */
  listen(): Promise<void> {
    if (this.listening !== undefined) return this.listening;
    if (this.stopping) return Promise.resolve();
    const path = this.socketPath;
    if (path === undefined) return Promise.reject(new InvalidStateError('the hub is not started'));
    const ipc = new (nodeIpc())();
    Object.assign(ipc.config, {
      silent: true,
      logInColor: false,
      maxConnections: this.options.maxConnections,
      unlink: false,
      readableAll: false,
      writableAll: false,
    });
    this.ipc = ipc;
    this.listening = new Promise<void>((resolve, reject) => {
      let started = false;
      ipc.serve(path, () => {
        started = true;
        this.bound = true;
        chmodSync(path, 0o600);
        resolve();
      });
      const server = ipc.server;
      if (server === false) throw new InvalidStateError('node-ipc did not create a server');
      server.on('connect', (socket: Socket) => this.accept(socket));
      server.on('error', (err: unknown, socket?: unknown) => {
        if (socket !== undefined && typeof socket === 'object') {
          this.reject(socket as Socket, 'unreadable frame', err);
        } else if (!started) {
          // Not listening: the next process actor's spawn tries again.
          this.listening = undefined;
          this.ipc = undefined;
          const cause = err instanceof Error ? err : new Error(String(err));
          reject(new ListenError(`the hub cannot listen on ${path}: ${cause.message}`, { cause }));
        }
      });
      server.start();
    });
    return this.listening;
  }

  /**
   * Listen again when the socket file was deleted under the hub (a cleaner
   * of the temp directory, a user). Connected actors are not affected; new
   * ones could not connect without it.
   *
   * @returns `true` when it had to listen again.
   */
  ensureListening(): boolean {
    const path = this.socketPath;
    const server = this.ipc?.server;
    // Never while stopping: closing the server removes its socket file, and
    // a spawn (a pool replacing a worker the stop ended) or the periodic
    // check in that window would start a server nothing closes.
    // Nor before the first bind is done (or when it failed): nothing to restore.
    if (
      this.stopping ||
      !this.bound ||
      path === undefined ||
      server === undefined ||
      server === false
    )
      return false;
    if (existsSync(path)) return false;
    this.options.logger.warn(`the hub socket ${path} was removed: listening again`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Closed first: closing a Unix server removes its path, which the new one holds already.
    const previous = server.server;
    if (previous !== false) previous.close();
    server.start();
    return true;
  }

  /**
   * Write an envelope to a connection; envelopes of one tick leave together,
   * in frames no larger than `maxMessageSize` (the limit is the same both ways).
   * @param socket - the actor's connection.
   * @param env - what to send.
   * @throws MessageTooLargeError when the envelope alone is over `maxMessageSize`.
   * @throws BackpressureError when it is a request and the connection holds
   *   twice `maxMessageSize` unsent already (see `Outbox`).
   */
  send(socket: Socket, env: Envelope): void {
    let outbox = this.outboxes.get(socket);
    if (outbox === undefined) {
      outbox = new Outbox(
        (frames) => {
          if (!socket.destroyed) socket.write(frames);
        },
        { maxSize: this.options.maxMessageSize, backlog: () => socket.writableLength },
      );
      this.outboxes.set(socket, outbox);
    }
    outbox.push(env);
  }

  /**
   * Drop a connection that broke the protocol, and log why: the first of a
   * burst as a warning, the others of the next second (see {@link BurstLog}) at
   * `debug` and as one summary warning (a flood is a few lines, not one per peer).
   * @param socket - the peer.
   * @param reason - what it did.
   * @param cause - the error behind it, if any.
   */
  reject(socket: Socket, reason: string, cause?: unknown): void {
    if (socket.destroyed) return;
    socket.destroy();
    const why = cause instanceof Error ? ` (${cause.message})` : '';
    this.rejections.add(reason, `disconnecting a peer: ${reason}${why}`);
  }

  /**
   * Take a connection that came another way (a TLS peer that proved the
   * secret): from now on it is guarded and routed as a Unix one.
   * @param socket - the connection, encoding utf8.
   * @param rest - what it sent after its proof: the start of its frames.
   */
  adopt(socket: Socket, rest = ''): void {
    this.adopted.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.adopted.delete(socket));
    this.accept(socket);
    if (rest !== '') socket.emit('data', rest);
  }

  /** Close every connection and the server, and remove the runtime folder. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.rejections.flush();
    for (const socket of this.adopted) socket.destroy();
    await this.listening?.catch(() => undefined);
    const server = this.ipc?.server;
    if (server !== undefined && server !== false && server.server !== false) {
      const net = server.server;
      for (const socket of server.sockets) socket.destroy();
      await new Promise<void>((resolve) => net.close(() => resolve()));
    }
    this.route = undefined;
    this.disconnected$.complete();
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.socketPath = undefined;
    this.ipc = undefined;
    this.listening = undefined;
  }

  private accept(socket: Socket): void {
    const timer = setTimeout(
      () => this.reject(socket, `no handshake within ${this.options.handshakeTimeout} ms`),
      this.options.handshakeTimeout,
    );
    this.handshakes.set(socket, timer);
    // Its own event: node-ipc's `socket.disconnected` names the first
    // unreadable socket of its list, not necessarily the one that closed.
    socket.once('close', () => {
      clearTimeout(timer);
      this.disconnected$.next(socket);
    });
    const guard = guardSocket(socket, {
      maxMessageSize: this.options.maxMessageSize,
      handshakeSize: HANDSHAKE_SIZE,
      onBatch: (envelopes) => this.receive(envelopes, socket),
      onViolation: (reason, cause) => this.reject(socket, reason, cause),
    });
    this.guards.set(socket, guard);
  }

  private receive(envelopes: Envelope[], socket: Socket): void {
    if (socket.destroyed) return;
    try {
      this.route?.({ socket, envelopes });
    } catch (err) {
      // The arbiter's own failure, not the peer's: uncaught, as a subscriber's error was.
      setTimeout(() => {
        throw err;
      });
    }
    // A batch the arbiter kept (the first one is a handshake, or the peer is gone).
    const timer = this.handshakes.get(socket);
    if (timer === undefined || socket.destroyed) return;
    // Once per connection, not on every batch.
    clearTimeout(timer);
    this.handshakes.delete(socket);
    this.guards.get(socket)?.handshaken();
    this.guards.delete(socket);
  }
}
