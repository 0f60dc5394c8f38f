/**
 * The arbiter's routing: envelopes from the hub and from the actors of the
 * arbiter's process (itself, its monitors) go to their target, by aid or
 * name; a request to nobody is answered with `ActorNotFoundError`; requests
 * routed to a child are remembered until answered, so that they can be
 * failed if it dies.
 * @module
 */
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Subscription } from '../rx.js';
import { decode } from '../codec/decode.js';
import { ActorNotFoundError } from '../errors.js';
import { BurstLog } from '../log/BurstLog.js';
import type { Actor } from '../actor/Actor.js';
import type { ActorProxy, ActorProxyDeferred } from '../actor/ActorProxy.js';
import type { Hub } from '../transport/Hub.js';
import type { Introducer } from './Introducer.js';
import type { Link } from '../transport/Link.js';
import { SocketLink } from '../transport/SocketLink.js';
import { errorReply, isRequest, type Envelope, type Request } from '../transport/protocol.js';

/** A spawned actor, as the arbiter tracks it. */
export interface Child {
  proxy: ActorProxy;
  deferred: ActorProxyDeferred;
  /** Its connection once it shook hands: a hub socket, or a thread's port. */
  link?: Link;
  handshake?: Subscription;
  /** How long its graceful stop may take (its own `exitTimeout`). */
  exitTimeout: number;
  /** `true` once its handshake succeeded. */
  ready: boolean;
  /**
   * Requests routed to this child and not answered yet, by `from:id`: who
   * waits, not what was asked (their arguments are not kept alive here).
   */
  forwarded: Map<string, Pick<Request, 'id' | 'from' | 'to'>>;
  /** The spawn's secret: its handshake must carry it. */
  nonce?: string;
  /**
   * `true` once its stop was announced (its `notify` in state `stopping`) or
   * asked for by the arbiter: its connection closing then is no death.
   */
  stopping?: boolean;
  /** `true` once its end is certain (`ending$`): its pools were told. */
  ending?: boolean;
  /**
   * A pool's standby (see `Monitor`): started and hidden until its pool
   * adopts it (no `actorSpawned$`, not in `actors`, not found by name).
   */
  standby?: boolean;
}

/** The `aid`, `nonce` and `state` a `notify` request claims (its first argument). */
function claimOf(env: Request): { aid?: unknown; nonce?: unknown; state?: unknown } {
  try {
    const info = decode(env.args[0]);
    return typeof info === 'object' && info !== null ? info : {};
  } catch {
    return {};
  }
}

/**
 * Routes for one arbiter.
 *
 * @example
 * ```ts
 * const router = new Router(arbiter, hub, children, local, monitors);
 * hub.onIncoming(({ socket, envelopes }) => router.route(router.linkOf(socket), envelopes));
 * ```
 */
export class Router {
  private readonly linkAid = new WeakMap<Link, string>();
  private readonly socketLinks = new WeakMap<Socket, SocketLink>();
  /** Messages without a reply that could not be passed on (no one else is told). */
  private dropped: BurstLog | undefined;

  /**
   * @param self - the arbiter (aid, name, and where its own errors go).
   * @param hub - the hub the children are connected to.
   * @param children - spawned actors, by aid.
   * @param local - actors of this process (the arbiter, monitors), by aid.
   * @param named - local actors found by name (monitors).
   * @param introducer - gives two thread actors, or two process actors, that talk a direct channel.
   */
  constructor(
    private readonly self: Actor,
    private readonly hub: Hub,
    private readonly children: ReadonlyMap<string, Child>,
    private readonly local: ReadonlyMap<string, Actor>,
    private readonly named: ReadonlyMap<string, { readonly aid: string }>,
    private readonly introducer?: Introducer,
  ) {}

  /**
   * @param to - an aid or a name.
   * @returns the aid it stands for, or `undefined`.
   */
  resolve(to: string): string | undefined {
    const { self } = this;
    if (to === self.aid || to === 'arbiter' || to === self.name) return self.aid;
    if (this.children.has(to) || this.local.has(to)) return to;
    const named = this.named.get(to);
    if (named !== undefined) return named.aid;
    for (const child of this.children.values()) {
      if (child.proxy.name === to && child.standby !== true) return child.proxy.aid;
    }
    return undefined;
  }

  /**
   * @param socket - a connection of the hub.
   * @returns its {@link Link} (the same one for every batch).
   */
  linkOf(socket: Socket): Link {
    let link = this.socketLinks.get(socket);
    if (link === undefined) {
      link = new SocketLink(this.hub, socket);
      this.socketLinks.set(socket, link);
    }
    return link;
  }

  /**
   * @param socket - a connection of the hub.
   * @returns the aid of the actor that shook hands on it, if one did.
   */
  aidOf(socket: Socket): string | undefined {
    const link = this.socketLinks.get(socket);
    return link === undefined ? undefined : this.linkAid.get(link);
  }

  /** @param env - written by a local actor: delivered in this process or sent to a child. */
  deliver(env: Envelope): void {
    const local = this.local.get(env.to);
    if (local !== undefined) {
      queueMicrotask(() => local.receive(env));
      return;
    }
    const link = this.children.get(env.to)?.link;
    if (link !== undefined) {
      link.send(env);
    } else if (isRequest(env) && env.ack) {
      const sender = this.local.get(env.from) ?? this.self;
      const error = new ActorNotFoundError(`no actor "${env.to}" is connected`);
      queueMicrotask(() => sender.receive(errorReply(env, error)));
    }
  }

  /**
   * Route a batch that arrived on a connection.
   * @param link - the child's connection (see {@link linkOf} for a socket).
   * @param envelopes - the batch.
   */
  route(link: Link, envelopes: Envelope[]): void {
    for (const env of envelopes) {
      const sender = this.linkAid.get(link) ?? this.bind(link, env);
      if (sender === undefined) return;
      if (env.from !== sender) {
        link.reject(`message from ${sender} claims to be from ${env.from}`);
        return;
      }
      if (isRequest(env) && env.cmd === 'notify') {
        const claim = claimOf(env);
        if (claim.aid !== sender) {
          link.reject(`notify from ${sender} speaks for another actor`);
          return;
        }
        // Its stop announced, marked now (its connection closes next):
        // the `notify` itself is handled a microtask later.
        const child = claim.state === 'stopping' ? this.children.get(sender) : undefined;
        if (child !== undefined) child.stopping = true;
      }
      const to = this.resolve(env.to);
      const local = to === undefined ? undefined : this.local.get(to);
      if (local !== undefined) {
        local.receive(env);
        continue;
      }
      const target = to === undefined ? undefined : this.children.get(to);
      if (target?.link === undefined) {
        if (isRequest(env) && env.ack) {
          link.send(errorReply(env, new ActorNotFoundError(`no actor "${env.to}"`)));
        }
        continue;
      }
      const byAid = env.to === target.proxy.aid;
      if (isRequest(env)) {
        env.to = target.proxy.aid;
        if (env.ack) {
          target.forwarded.set(`${env.from}:${env.id}`, { id: env.id, from: env.from, to: env.to });
        }
      } else {
        this.children.get(env.from)?.forwarded.delete(`${env.to}:${env.id}`);
      }
      this.forward(link, target, env);
      if (link.kind === 'port' && target.link.kind === 'port') {
        this.introducer?.introduce(sender, target.proxy.aid);
      } else if (
        byAid &&
        isRequest(env) &&
        link.kind === 'socket' &&
        target.link.kind === 'socket'
      ) {
        this.introduceProcesses(sender, target);
      }
    }
  }

  /**
   * Pass an envelope on to a child. One that came in a frame within the
   * limit fits in a frame of its own; should it not (MessageTooLargeError),
   * its request fails at its sender instead of the arbiter.
   */
  private forward(from: Link, target: Child, env: Envelope): void {
    try {
      target.link!.send(env);
    } catch (err) {
      if (!isRequest(env)) return;
      target.forwarded.delete(`${env.from}:${env.id}`);
      const error = err instanceof Error ? err : new Error(String(err));
      if (env.ack) {
        from.send(errorReply(env, error));
        return;
      }
      // A message that expects no reply: its sender cannot be told.
      this.dropped ??= new BurstLog(this.self.logger, (count) => `dropped ${count} more messages`);
      this.dropped.add(error.name, `dropped a message from ${env.from}: ${error.message}`);
    }
  }

  /** The arbiter stops: the summary of the messages dropped lately is logged now. */
  close(): void {
    this.dropped?.flush();
  }

  /** Two process actors talk by aid: they may get a connection of their own. */
  private introduceProcesses(sender: string, target: Child): void {
    const path = this.hub.path;
    this.introducer?.introduceProcesses(
      sender,
      target.proxy.aid,
      [this.children.get(sender)?.proxy.worker, target.proxy.worker],
      path === undefined ? undefined : dirname(path),
    );
  }

  /**
   * A child exited: every request routed to it gets an error reply.
   * @param child - the child.
   * @param error - the error to answer with.
   */
  failForwarded(child: Child, error: Error): void {
    for (const request of child.forwarded.values()) {
      this.children.get(request.from)?.link?.send(errorReply(request, error));
    }
  }

  /**
   * The first message on a connection must be the handshake of a spawning
   * actor, with the secret (nonce) of its spawn.
   */
  private bind(link: Link, env: Envelope): string | undefined {
    const child = this.children.get(env.from);
    if (!isRequest(env) || env.cmd !== 'notify' || child === undefined || child.link) {
      link.reject('the first message is not the handshake of a spawning actor');
      return undefined;
    }
    if (child.nonce !== undefined && claimOf(env).nonce !== child.nonce) {
      link.reject(`a handshake for ${env.from} without the nonce of its spawn`);
      return undefined;
    }
    child.link = link;
    this.linkAid.set(link, env.from);
    return env.from;
  }
}
