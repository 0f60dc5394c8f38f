/**
 * A process actor's direct connections to other process actors. The
 * arbiter hands this process one end of a new socket per peer, over its IPC
 * channel, the first time it routes a request between the two (see
 * `Introducer`); from then on, envelopes to that aid go straight there.
 *
 * Order is kept across the switch: on receiving its socket, each side sends
 * the other a marker through the hub (the `$rxp.direct` request), and reads
 * the socket only once the other's marker came, so that whatever the other
 * sent through the hub before its switch is handled first. Replies to
 * requests that came through the hub go back through it (the arbiter
 * remembers those requests, to fail them on a death, until answered).
 * @module
 */
import type { Socket } from 'node:net';
import { isRequest, type Envelope } from './protocol.js';
import { SocketPeer } from './SocketPeer.js';

/** The command of the marker a peer sends through the hub when it switches. */
export const SWITCH_COMMAND = '$rxp.direct';

/** What the arbiter tells a process over IPC about direct connections. */
export type PeerNotice =
  | { rxpulsar: 'peer'; aid: string; token?: string }
  | { rxpulsar: 'peer-exited'; aid: string; message: string };

/** Where a {@link SocketPeers} sends, delivers and reports. */
export interface SocketPeersOptions {
  /** This actor's aid. */
  self: string;
  /** The arbiter's aid (its requests are never answered directly). */
  arbiter: string;
  /** Largest frame, both ways. */
  maxMessageSize: number;
  /** Sends an envelope through the hub. */
  viaHub(env: Envelope): void;
  /** Hands an envelope from a peer to the actor. */
  deliver(env: Envelope): void;
  /** A peer is gone: what waits on it must fail, with this message. */
  lost(aid: string, message: string): void;
}

/**
 * The direct connections of one process actor.
 *
 * @example
 * ```ts
 * const peers = new SocketPeers({ self, arbiter, maxMessageSize, viaHub, deliver, lost });
 * process.on('message', (notice, socket) => peers.notice(notice, socket));
 * if (!peers.send(env)) hub.send(env);
 * ```
 */
export class SocketPeers {
  private readonly peers = new Map<string, SocketPeer>();
  /** Peers whose marker came before their socket. */
  private readonly switched = new Set<string>();
  /** The arbiter's word on peers that exited, for the error of what waits on them. */
  private readonly exits = new Map<string, string>();
  /** Requests from other actors that came through the hub (`from:id`), not answered yet. */
  private readonly routed = new Set<string>();

  /** @param options - identities, limits, and the hub's side. */
  constructor(private readonly options: SocketPeersOptions) {}

  /**
   * Take an envelope that came through the hub.
   * @param env - the envelope.
   * @returns `false` when it was a peer's marker (handled here), else `true`.
   */
  fromHub(env: Envelope): boolean {
    if (!isRequest(env)) return true;
    if (env.cmd === SWITCH_COMMAND && !env.ack) {
      const peer = this.peers.get(env.from);
      if (peer !== undefined) peer.open();
      else this.switched.add(env.from);
      return false;
    }
    if (env.ack && env.from !== this.options.arbiter) this.routed.add(`${env.from}:${env.id}`);
    return true;
  }

  /**
   * Send an envelope directly, when there is a connection to its target.
   * @param env - the envelope.
   * @returns `true` when it was sent here, `false` when the hub must carry it.
   */
  send(env: Envelope): boolean {
    if (!isRequest(env) && this.routed.size > 0 && this.routed.delete(`${env.to}:${env.id}`)) {
      return false;
    }
    const peer = this.peers.get(env.to);
    if (peer === undefined) return false;
    peer.send(env);
    return true;
  }

  /**
   * Handle what the arbiter said over IPC (anything else is ignored).
   * @param notice - the message.
   * @param socket - the handle that came with it.
   */
  notice(notice: unknown, socket: unknown): void {
    if (typeof notice !== 'object' || notice === null) return;
    const { rxpulsar, aid, message, token } = notice as Record<string, unknown>;
    if (typeof aid !== 'string' || aid === this.options.self) return;
    if (rxpulsar === 'peer' && socket !== undefined && socket !== null) {
      this.attach(aid, socket as Socket, typeof token === 'string' ? token : undefined);
    }
    if (rxpulsar === 'peer-exited' && typeof message === 'string') this.exited(aid, message);
  }

  /** Close every connection (this actor stops). */
  close(): void {
    const peers = [...this.peers.values()];
    this.peers.clear();
    for (const peer of peers) peer.close();
  }

  private attach(aid: string, socket: Socket, token: string | undefined): void {
    this.peers.get(aid)?.close();
    const { self, maxMessageSize } = this.options;
    const peer: SocketPeer = new SocketPeer(socket, {
      self,
      peer: aid,
      maxMessageSize,
      ...(token === undefined ? {} : { token }),
      onEnvelope: (env) => this.options.deliver(env),
      onClose: (violation) => this.lost(aid, peer, violation),
    });
    this.peers.set(aid, peer);
    this.options.viaHub({ id: 0, from: self, to: aid, cmd: SWITCH_COMMAND, args: [], ack: false });
    if (this.switched.delete(aid)) peer.open();
  }

  /** The peer exited: read what it sent last, then its socket closes. */
  private exited(aid: string, message: string): void {
    const peer = this.peers.get(aid);
    if (peer === undefined) return;
    this.exits.set(aid, message);
    peer.open();
  }

  private lost(aid: string, peer: SocketPeer, violation?: string): void {
    const message = this.exits.get(aid);
    this.exits.delete(aid);
    this.switched.delete(aid);
    if (this.peers.get(aid) !== peer) return;
    this.peers.delete(aid);
    const why = violation === undefined ? 'closed' : `dropped (${violation})`;
    this.options.lost(aid, message ?? `actor ${aid} exited (its direct connection ${why})`);
  }
}
