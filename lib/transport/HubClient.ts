/**
 * An actor's connection to the arbiter's hub (a node-ipc server): a plain
 * Unix socket speaking the hub's frames, no reconnection (a lost hub means
 * the arbiter is gone, and the actor stops itself rather than live on as
 * an orphan), batches per tick.
 * @module
 */
import { Subject } from '../rx.js';
import { Delivery } from './Delivery.js';
import { ActorExitedError, ProtocolError } from '../errors.js';
import { connect, type Socket } from 'node:net';
import type { HubTls } from './tlsConnect.js';
import { FrameReader } from './FrameReader.js';
import { Outbox } from './Outbox.js';
import type { PeerLost } from './PortClient.js';
import { SocketPeers } from './SocketPeers.js';
import { DELIMITER, type Envelope } from './protocol.js';
import { WireReader } from './WireReader.js';

/**
 * The client side of the hub.
 *
 * @example
 * ```ts
 * const client = new HubClient(aid, socketPath);
 * await client.connect();
 * client.onIncoming(handle);
 * client.send(envelope);
 * ```
 */
export class HubClient {
  private readonly delivery = new Delivery();
  /** Envelopes received (the actor's handler gets them first: see {@link onIncoming}). */
  readonly incoming$ = this.delivery.incoming$;
  /** Emits once when the connection is gone. */
  readonly closed$ = new Subject<void>();
  /** A process actor this one had a direct connection to is gone: fail what waits on it. */
  readonly peerLost$ = new Subject<PeerLost>();
  /** The connection to the hub (its Unix socket, or `tls://HOST:PORT`). */
  private socket: Socket | undefined;
  private readonly outbox: Outbox;
  private closed = false;
  /** Direct connections to other process actors (a process actor's client only). */
  private readonly peers: SocketPeers | undefined;
  private readonly onNotice = (notice: unknown, handle: unknown): void =>
    this.peers?.notice(notice, handle);

  /**
   * @param id - the actor's aid.
   * @param path - the hub's socket path.
   * @param maxMessageSize - the hub's largest frame: no frame sent is larger.
   * @param tls - the secret and CA files, for a hub at `tls://HOST:PORT`.
   * @param arbiter - the arbiter's aid, for a process actor that takes direct
   *   connections to other process actors from it (over its IPC channel).
   */
  constructor(
    id: string,
    private readonly path: string,
    maxMessageSize = Infinity,
    private readonly tls?: HubTls,
    arbiter?: string,
  ) {
    this.outbox = new Outbox(
      (frames) => {
        const socket = this.socket;
        if (socket && !socket.destroyed) socket.write(frames);
        else this.outbox.clear(); // not connected (yet): dropped, slots defined again
      },
      { maxSize: maxMessageSize, backlog: () => this.socket?.writableLength ?? 0 },
    );
    if (arbiter !== undefined && tls === undefined && typeof process.send === 'function') {
      this.peers = new SocketPeers({
        self: id,
        arbiter,
        maxMessageSize,
        viaHub: (env) => this.outbox.push(env),
        deliver: (env) => this.delivery.emit(env),
        lost: (aid, message) => this.peerLost$.next({ aid, message }),
      });
    }
  }

  /**
   * Hand every envelope received to `handler`, called directly (one actor
   * reads its client: no Subject between them on the message path);
   * `incoming$` still emits to whoever subscribes.
   * @param handler - gets each envelope, in order.
   * @returns stops the handler.
   * @example
   * ```ts
   * const stop = client.onIncoming((env) => mailbox.receive(env));
   * ```
   */
  onIncoming(handler: (env: Envelope) => void): () => void {
    return this.delivery.on(handler);
  }

  /** Connect; rejects if the hub cannot be reached. */
  connect(): Promise<void> {
    if (this.path.startsWith('tls://')) return this.connectTls();
    // A plain socket: the hub's frames are read and written here anyway,
    // and node-ipc's client (its bundle, its `os.networkInterfaces()`) cost
    // ~10 ms of every process actor's start.
    return new Promise((resolve, reject) => {
      let connected = false;
      const socket = connect({ path: this.path });
      this.socket = socket;
      socket.setEncoding('utf8');
      socket.on('error', () => socket.destroy());
      socket.once('connect', () => {
        connected = true;
        if (this.peers !== undefined) process.on('message', this.onNotice);
        this.read(socket);
        resolve();
      });
      socket.once('close', () => {
        if (!connected) reject(new ActorExitedError(`cannot reach the arbiter at ${this.path}`));
        this.markClosed();
      });
    });
  }

  private async connectTls(): Promise<void> {
    if (this.tls === undefined) {
      throw new ActorExitedError(`no hub secret to reach the arbiter at ${this.path}`);
    }
    // Loaded here: TLS and its crypto cost a Unix-socket actor's start ~5 ms.
    const { connectTls } = await import('./tlsConnect.js');
    const { socket, rest } = await connectTls(this.path, this.tls, { as: 'actor' }, 10_000);
    this.socket = socket;
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.markClosed());
    this.read(socket);
    if (rest !== '') socket.emit('data', rest);
  }

  /**
   * Read frames ourselves (node-ipc's handler copied its whole buffer on
   * every chunk and parsed only when a chunk happened to end on a
   * delimiter: large or pipelined batches were held back).
   */
  private read(socket: Socket): void {
    socket.removeAllListeners('data');
    const frames = new FrameReader(DELIMITER);
    const wire = new WireReader();
    const onFrame = (frame: string): boolean => {
      try {
        const env = wire.read(frame);
        if (env === undefined) return true; // a slot definition
        if (typeof env === 'string') throw new ProtocolError('a token frame from the hub');
        if (this.peers === undefined || this.peers.fromHub(env)) this.delivery.emit(env);
        return true;
      } catch (err) {
        socket.destroy(err instanceof Error ? err : new Error(String(err)));
        return false;
      }
    };
    socket.on('data', (chunk: string) => frames.feed(chunk, onFrame));
  }

  /**
   * @param env - queued and written with this tick's batch.
   * @throws MessageTooLargeError when it is over the hub's `maxMessageSize` alone.
   */
  send(env: Envelope): void {
    if (this.closed || this.peers?.send(env) === true) return;
    this.outbox.push(env);
  }

  /** Close the connection (what is queued this tick is written first). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      queueMicrotask(() => {
        this.peers?.close();
        const socket = this.socket;
        if (socket && !socket.destroyed) {
          socket.end(() => {
            socket.destroy();
            this.markClosed();
            resolve();
          });
          setTimeout(() => {
            socket.destroy();
            this.markClosed();
            resolve();
          }, 1000).unref();
        } else {
          this.markClosed();
          resolve();
        }
      });
    });
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.outbox.clear();
    if (this.peers !== undefined) {
      process.off('message', this.onNotice);
      this.peers.close();
    }
    this.peerLost$.complete();
    this.closed$.next();
    this.closed$.complete();
    this.incoming$.complete();
  }
}
