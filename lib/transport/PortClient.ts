/**
 * A thread actor's connection to the arbiter: the same surface as
 * {@link HubClient}, over the `MessagePort` the arbiter handed it at spawn
 * (see {@link PortLink}) instead of a Unix socket to its own process. The
 * arbiter may also hand it direct channels to other thread actors (on
 * their first exchange): envelopes to those aids then go straight there.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { Subject } from '../rx.js';
import { Delivery } from './Delivery.js';
import { PortLink, type PortControl } from './PortLink.js';
import { isRequest, type Envelope } from './protocol.js';

/** An actor this thread had a direct channel to is gone. */
export interface PeerLost {
  aid: string;
  message: string;
}

/**
 * The client side of a thread actor's channel.
 *
 * @example
 * ```ts
 * const client = new PortClient(workerData.port, maxMessageSize);
 * await client.connect();
 * client.onIncoming(handle);
 * client.send(envelope);
 * ```
 */
export class PortClient {
  private readonly delivery = new Delivery();
  /** Envelopes received (the actor's handler gets them first: see {@link onIncoming}). */
  readonly incoming$ = this.delivery.incoming$;
  /** Emits once when the channel to the arbiter is gone. */
  readonly closed$ = new Subject<void>();
  /** A peer with a direct channel exited: fail what waits on it. */
  readonly peerLost$ = new Subject<PeerLost>();
  private readonly link: PortLink;
  private readonly peers = new Map<string, PortLink>();
  /**
   * Requests from actors other than the arbiter that came through the
   * arbiter (`from:id`): their replies go back the same way, so that the
   * arbiter, which remembers them to fail them on a death, forgets them.
   */
  private readonly routed = new Set<string>();
  private readonly receive = (batch: Envelope[]): void => {
    for (const env of batch) this.delivery.emit(env);
  };
  private readonly receiveRouted = (batch: Envelope[]): void => {
    for (const env of batch) {
      if (isRequest(env) && env.ack && env.from !== this.arbiter) {
        this.routed.add(`${env.from}:${env.id}`);
      }
      this.delivery.emit(env);
    }
  };

  /**
   * @param port - the thread's end of the channel.
   * @param maxMessageSize - the arbiter's largest message: none sent is larger.
   * @param arbiter - the arbiter's aid.
   */
  constructor(
    port: MessagePort,
    private readonly maxMessageSize = Infinity,
    private readonly arbiter = '',
  ) {
    this.link = new PortLink(port, this.receiveRouted, {
      maxMessageSize,
      onControl: (control) => this.control(control),
    });
    this.link.closed$.subscribe(() => {
      for (const peer of this.peers.values()) peer.close();
      this.closed$.next();
      this.closed$.complete();
      this.peerLost$.complete();
      this.incoming$.complete();
    });
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

  /** The channel is open from the start: resolves at once. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * @param env - posted with this tick's batch, to its target directly
   *   when there is a channel to it, else to the arbiter.
   * @throws MessageTooLargeError when it is over `maxMessageSize`.
   */
  send(env: Envelope): void {
    const peer = this.peers.get(env.to);
    if (this.routed.size > 0 && !isRequest(env) && this.routed.delete(`${env.to}:${env.id}`)) {
      this.link.send(env);
    } else {
      (peer ?? this.link).send(env);
    }
  }

  /** Close the channels once what is queued this tick is posted. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      queueMicrotask(() => {
        for (const peer of this.peers.values()) peer.close();
        this.link.close();
        resolve();
      });
    });
  }

  private control(control: PortControl): void {
    if ('port' in control) {
      const { peer: aid, port } = control;
      this.peers.get(aid)?.close();
      const peer = new PortLink(port, this.receive, { maxMessageSize: this.maxMessageSize });
      this.peers.set(aid, peer);
      peer.closed$.subscribe(() => this.lost(aid, peer, `actor ${aid} exited`));
    } else {
      const peer = this.peers.get(control.exited);
      if (peer !== undefined) this.lost(control.exited, peer, control.message);
    }
  }

  private lost(aid: string, peer: PortLink, message: string): void {
    if (this.peers.get(aid) !== peer) return;
    this.peers.delete(aid);
    peer.readPending();
    peer.close();
    this.peerLost$.next({ aid, message });
  }
}
