/**
 * One direct connection between two process actors, made by the arbiter
 * (see `Introducer`) and handed to each over its IPC channel. The peer is
 * another process: its bytes are guarded as the hub guards them (framing,
 * size limits, the wire format, envelope shapes), and it may speak
 * only for itself (`from`) and only to this actor (`to`). Reading starts
 * once the peer said, through the hub, that it switched to this socket
 * (see {@link SocketPeer.open}): what it sent before through the hub is
 * read first. The end the arbiter accepted opens with the arbiter's token
 * (a token frame), proof that the connection is the one it made.
 * @module
 */
import type { Socket } from 'node:net';
import { ProtocolError } from '../errors.js';
import { guardSocket, type Guard } from './guardSocket.js';
import { Outbox } from './Outbox.js';
import type { Envelope } from './protocol.js';

/** What a {@link SocketPeer} needs. */
export interface SocketPeerOptions {
  /** This actor's aid: every envelope from the peer must be addressed to it. */
  self: string;
  /** The peer's aid: every envelope from it must come from it. */
  peer: string;
  /** Largest frame, both ways (the hub's `maxMessageSize`). */
  maxMessageSize: number;
  /** The token the connection must open with (the accepted end only). */
  token?: string;
  /** Receives each valid envelope. */
  onEnvelope(env: Envelope): void;
  /** Called once when the connection is gone, with why when the peer broke the protocol. */
  onClose(violation?: string): void;
}

/**
 * A direct connection to another process actor.
 *
 * @example
 * ```ts
 * const peer = new SocketPeer(socket, { self, peer: aid, maxMessageSize, onEnvelope, onClose });
 * peer.send(envelope); // written at the end of this tick
 * peer.open();         // the peer switched: read what it sends
 * ```
 */
export class SocketPeer {
  private readonly outbox: Outbox;
  private readonly guard: Guard;
  private token: string | undefined;
  private done = false;

  /**
   * @param socket - this side's end (received over IPC); paused until {@link SocketPeer.open}.
   * @param options - identities, limits, where envelopes go.
   */
  constructor(
    private readonly socket: Socket,
    private readonly options: SocketPeerOptions,
  ) {
    socket.pause();
    socket.setEncoding('utf8');
    this.outbox = new Outbox(
      (frames) => {
        if (!socket.destroyed) socket.write(frames);
      },
      { maxSize: options.maxMessageSize, backlog: () => socket.writableLength },
    );
    this.token = options.token;
    this.guard = guardSocket(socket, {
      maxMessageSize: options.maxMessageSize,
      ...(this.token === undefined ? {} : { handshakeSize: 1024 }),
      onBatch: (envelopes) => this.receive(envelopes),
      onToken: (token) => this.opened(token),
      onViolation: (reason, cause) =>
        this.drop(cause instanceof Error ? `${reason}: ${cause.message}` : reason),
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.ended());
  }

  /** `true` once the connection is gone. */
  get closed(): boolean {
    return this.done;
  }

  /**
   * @param env - written with this tick's batch.
   * @throws MessageTooLargeError when it is over `maxMessageSize` alone.
   * @throws BackpressureError when it is a request and the peer has twice
   *   `maxMessageSize` unread already (see `Outbox`).
   */
  send(env: Envelope): void {
    if (!this.done) this.outbox.push(env);
  }

  /** Start reading: the peer switched to this socket. */
  open(): void {
    if (!this.done) this.socket.resume();
  }

  /** Close: what is queued this tick is written first. */
  close(): void {
    if (this.done) return;
    queueMicrotask(() => this.socket.end());
    this.socket.resume(); // read the peer's end, so that 'close' comes
  }

  private opened(token: string): void {
    if (this.token === undefined || token !== this.token) {
      throw new ProtocolError("the connection did not open with the arbiter's token");
    }
    this.token = undefined;
    this.guard.handshaken();
  }

  private receive(envelopes: Envelope[]): void {
    if (this.token !== undefined) {
      throw new ProtocolError("the connection did not open with the arbiter's token");
    }
    const { self, peer } = this.options;
    for (const { from, to } of envelopes) {
      if (from !== peer) throw new ProtocolError(`message from ${peer} claims to be from ${from}`);
      if (to !== self) throw new ProtocolError(`message from ${peer} addressed to ${to}`);
    }
    for (const env of envelopes) this.options.onEnvelope(env);
  }

  private drop(reason: string): void {
    if (this.done) return;
    this.socket.destroy();
    this.ended(reason);
  }

  private ended(violation?: string): void {
    if (this.done) return;
    this.done = true;
    this.outbox.clear();
    this.options.onClose(violation);
  }
}
