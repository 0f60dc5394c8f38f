/**
 * Direct channels between thread actors: the first time the arbiter routes
 * an envelope from one thread actor to another, it hands each a port of a
 * new MessageChannel, and their next envelopes go straight to each other
 * (one hop instead of two). The arbiter still tells them when the other
 * exits, so that what waits on it fails at once.
 * @module
 */
import { MessageChannel } from 'node:worker_threads';
import type { Link } from '../transport/Link.js';
import { PortLink } from '../transport/PortLink.js';

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
  private readonly peers = new Map<string, Set<string>>();

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
   * An actor exited: tell those introduced to it.
   * @param aid - the actor.
   * @param message - what their requests to it fail with.
   */
  exited(aid: string, message: string): void {
    const peers = this.peers.get(aid);
    if (peers === undefined) return;
    this.peers.delete(aid);
    for (const peer of peers) {
      const link = this.linkOf(peer);
      if (link instanceof PortLink) link.tellExited(aid, message);
      this.peers.get(peer)?.delete(aid);
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
