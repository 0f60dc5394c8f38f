/**
 * Direct channels between actors: the first time the arbiter routes an
 * envelope from one thread actor to another, it hands each a port of a new
 * MessageChannel; the first time it routes a request between two process
 * actors of this machine (addressed by aid), it hands each an end of a new
 * Unix-socket connection over its IPC channel (see `SocketPeers`). Their
 * next envelopes go straight to each other (one hop instead of two). The
 * arbiter still tells them when the other exits, so that what waits on it
 * fails at once.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { ProcessWorker } from '../concurrency/ProcessWorker.js';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import type { Link } from '../transport/Link.js';
import { PortLink } from '../transport/PortLink.js';
import { tokenFrame } from '../transport/protocol.js';
import { socketPair } from './socketPair.js';

/**
 * Who was introduced to whom.
 *
 * @example
 * ```ts
 * const introducer = new Introducer((aid) => children.get(aid)?.link);
 * introducer.introduce(fromAid, toAid);
 * introducer.exited(aid, 'actor "w" exited (code 1)');
 * ```
 */
export class Introducer {
  /**
   * @internal Whether process actors are introduced (specs turn it off to
   * show what the introduction changes).
   */
  static processes = true;
  private readonly peers = new Map<string, Set<string>>();
  /** The workers of process actors introduced to someone, by aid. */
  private readonly workers = new Map<string, ProcessWorker>();

  /** @param linkOf - the link of a connected actor, by aid. */
  constructor(private readonly linkOf: (aid: string) => Link | undefined) {}

  /**
   * Give two thread actors a channel of their own, once.
   * @param a - the sender's aid.
   * @param b - the target's aid.
   */
  introduce(a: string, b: string): void {
    if (a === b || this.peers.get(a)?.has(b) === true) return;
    const la = this.linkOf(a);
    const lb = this.linkOf(b);
    if (!(la instanceof PortLink) || !(lb instanceof PortLink) || la.closed || lb.closed) return;
    const { port1, port2 } = new MessageChannel();
    la.introduce(b, port1);
    lb.introduce(a, port2);
    this.add(a, b);
    this.add(b, a);
  }

  /**
   * Give two process actors of this machine a connection of their own, once.
   * Until both ends arrived, and should it fail, they talk through the hub.
   * @param a - the sender's aid.
   * @param b - the target's aid.
   * @param workers - their processes.
   * @param dir - the hub's private folder, where the connection is made.
   */
  introduceProcesses(
    a: string,
    b: string,
    workers: [WorkerHandle | undefined, WorkerHandle | undefined],
    dir: string | undefined,
  ): void {
    const [wa, wb] = workers;
    if (!Introducer.processes || a === b || dir === undefined) return;
    if (this.peers.get(a)?.has(b) === true) return;
    if (!(wa instanceof ProcessWorker) || !(wb instanceof ProcessWorker)) return;
    if (wa.exited || wb.exited) return;
    this.add(a, b);
    this.add(b, a);
    this.workers.set(a, wa);
    this.workers.set(b, wb);
    // The accepted end (b's) must open with the token: proof that no one
    // else connected to the listening socket first.
    const token = randomBytes(16).toString('hex');
    socketPair(dir, tokenFrame(token)).then(
      ([one, other]) =>
        Promise.all([
          wa.post({ rxpulsar: 'peer', aid: b }, one),
          wb.post({ rxpulsar: 'peer', aid: a, token }, other),
        ]),
      () => undefined, // no connection: they go on through the hub
    );
  }

  /**
   * An actor exited: tell those introduced to it.
   * @param aid - the actor.
   * @param message - what their requests to it fail with.
   */
  exited(aid: string, message: string): void {
    const peers = this.peers.get(aid);
    if (peers === undefined) return;
    this.peers.delete(aid);
    this.workers.delete(aid);
    for (const peer of peers) {
      const link = this.linkOf(peer);
      if (link instanceof PortLink) link.tellExited(aid, message);
      void this.workers.get(peer)?.post({ rxpulsar: 'peer-exited', aid, message });
      const left = this.peers.get(peer);
      left?.delete(aid);
      if (left?.size === 0) {
        this.peers.delete(peer);
        this.workers.delete(peer);
      }
    }
  }

  private add(a: string, b: string): void {
    let set = this.peers.get(a);
    if (set === undefined) {
      set = new Set();
      this.peers.set(a, set);
    }
    set.add(b);
  }
}
