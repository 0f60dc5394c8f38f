/**
 * The arbiter's table of spawned actors, from spawn to exit: the handshake
 * that makes one ready, the heartbeats that follow, its graceful stop and
 * its exit (which fails every request waiting on it).
 * @module
 */
import type winston from 'winston';
import { ProcessWorker } from '../concurrency/ProcessWorker.js';
import type { ExitInfo } from '../concurrency/WorkerHandle.js';
import { ActorExitedError, HandshakeTimeoutError, InvalidStateError } from '../errors.js';
import type { Actor } from '../actor/Actor.js';
import type { ActorProxy, ActorProxyDeferred } from '../actor/ActorProxy.js';
import type { ActorExit, ArbiterEvents } from '../actor/ArbiterEvents.js';
import type { IOLoop } from '../eventloop/IOLoop.js';
import type { Monitor } from '../monitor/Monitor.js';
import type { PortLink } from '../transport/PortLink.js';
import type { Child } from './Router.js';

/**
 * How long a process that exited before its handshake has for its last
 * frames (the `notify` saying why) to be read before its spawn fails with
 * ActorExitedError, in ms: its connection may not be accepted yet.
 */
const EXIT_GRACE_MS = 250;

/** What the table needs of its arbiter. */
export interface ChildTableContext {
  readonly logger: winston.Logger;
  readonly loop: IOLoop;
  readonly events: ArbiterEvents<Actor>;
  /** Actors of the arbiter's process (the arbiter, its monitors): their requests to a dead actor fail. */
  readonly local: ReadonlyMap<string, Actor>;
  /** The monitors, told of every heartbeat of a ready actor. */
  readonly monitors: ReadonlyMap<string, Monitor>;
  /** Send `stop` to a child (its reply is not awaited). */
  sendStop(aid: string): void;
  /** Fail the requests routed to a child that exited. */
  failForwarded(child: Child, error: Error): void;
  /** Forget a thread's direct channels. */
  forget(aid: string, reason: string): void;
}

/**
 * The spawned actors of one arbiter, by aid.
 *
 * @example
 * ```ts
 * const table = new ChildTable(context);
 * table.add(child, timeout, port);
 * table.notified(info); // from the child's `notify`
 * await table.stop(child.proxy.aid);
 * ```
 */
export class ChildTable {
  /** Every spawned actor not yet exited, by aid (the Router reads it). */
  readonly children = new Map<string, Child>();
  /** Actors that exited before their handshake came: handle the exit now. */
  private readonly settling = new Map<string, () => void>();
  /**
   * Process spawns admitted while the hub's first listen is on its way, by
   * aid: they hold their aid and a connection from the spawn call on, so
   * that spawns are admitted in the order they were issued, and a stop
   * finds them (see {@link ChildTable.reserve}).
   */
  private readonly pending = new Map<string, ActorProxyDeferred>();

  /** @param context - logger, loop, events, local actors, monitors and the calls the table makes. */
  constructor(private readonly context: ChildTableContext) {}

  /** Proxies of the spawned actors that completed their handshake. */
  get actors(): ActorProxy[] {
    return [...this.children.values()].filter((c) => c.ready && !c.standby).map((c) => c.proxy);
  }

  /**
   * Thread actors, processes not yet connected and spawns waiting for the
   * hub to listen: they count against the hub's `maxConnections`.
   */
  get unconnected(): number {
    const children = [...this.children.values()].filter((c) => c.link?.kind !== 'socket');
    return children.length + this.pending.size;
  }

  /**
   * @param aid - an aid.
   * @returns `true` when a spawned actor, or a spawn waiting for the hub, has it.
   */
  has(aid: string): boolean {
    return this.children.has(aid) || this.pending.has(aid);
  }

  /**
   * Hold the aid and a connection of a process spawn that waits for the
   * hub's first listen, until the returned function releases them (its
   * start, or its failure). Meanwhile {@link ChildTable.stop} fails it.
   * @param deferred - the spawn's Deferred (its aid).
   * @returns the release.
   */
  reserve(deferred: ActorProxyDeferred): () => void {
    this.pending.set(deferred.aid, deferred);
    return () => {
      if (this.pending.get(deferred.aid) === deferred) this.pending.delete(deferred.aid);
    };
  }

  /**
   * Track a child just started: its handshake must come within `timeout`
   * (else {@link HandshakeTimeoutError} and SIGKILL), its exit is handled.
   * @param child - the new entry (its proxy holds the worker).
   * @param timeout - the handshake's deadline (ms).
   * @param port - a thread's channel, drained before its exit is handled
   *   (and, before the handshake, the `notify` it held handled first).
   * @returns a function that stops watching (the arbiter's subscriptions hold it).
   */
  add(child: Child, timeout: number, port?: PortLink): { unsubscribe(): void } {
    const { proxy, deferred } = child;
    const worker = proxy.worker!;
    this.children.set(proxy.aid, child);
    child.handshake = this.context.loop.addTimeout(timeout, () => {
      if (deferred.called) return;
      const error = `actor "${proxy.name}" (${proxy.aid}) sent no handshake within ${timeout} ms`;
      deferred.errback(new HandshakeTimeoutError(error));
      worker.kill('SIGKILL');
    });
    // Its end is certain before its exit (a thread being terminated): a
    // ready actor's pool replaces it now, and the rest waits for its exit.
    const ending = worker.ending$?.subscribe((how) => {
      child.ending = true;
      if (deferred.called && this.children.get(proxy.aid) === child) {
        this.tellMonitors(exitOf(child, how));
      }
    });
    const exited = worker.exit$.subscribe((exit) => {
      port?.readPending();
      const settle = (): void => {
        this.settling.delete(proxy.aid);
        this.exited(proxy.aid, exit);
        port?.close();
      };
      if (deferred.called) {
        settle();
        return;
      }
      // Exited before its handshake: the `notify` that says why (a start hook
      // that threw) may still be on its way. A thread's was just read, and is
      // handled a microtask later (a command without reply); a process's
      // connection may not even be accepted yet when its exit is seen (a busy
      // arbiter). Its handshake settles the spawn first, if it comes.
      const timer = setTimeout(settle, port !== undefined ? 0 : EXIT_GRACE_MS);
      this.settling.set(proxy.aid, () => {
        clearTimeout(timer);
        settle();
      });
    });
    if (ending !== undefined) exited.add(ending);
    return exited;
  }

  /**
   * A child's `notify`: its handshake (the spawn's Deferred fires) or a heartbeat.
   * @param info - the child's info (its `aid` says whose).
   */
  notified(info: Record<string, unknown>): void {
    const child = typeof info['aid'] === 'string' ? this.children.get(info['aid']) : undefined;
    if (child === undefined) return;
    const { proxy, deferred } = child;
    delete info['nonce']; // the spawn's secret stays out of the info
    proxy.lastNotified = Date.now();
    if (deferred.called) {
      proxy.info = info;
      for (const monitor of this.context.monitors.values()) monitor.notified(proxy.aid);
      return;
    }
    child.handshake?.unsubscribe();
    if (info['error'] !== undefined) {
      const error = info['error'];
      deferred.errback(error instanceof Error ? error : new Error(JSON.stringify(error)));
    } else {
      proxy.info = info;
      child.ready = true;
      this.context.logger.debug(`actor "${proxy.name}" (${proxy.aid}) is ready`);
      deferred.callback(proxy);
      // A standby is announced when its pool adopts it (see adopt()).
      if (child.standby !== true) this.context.events._actorSpawned.next(proxy);
    }
    // It exited already: its exit is handled now that the spawn is settled.
    this.settling.get(proxy.aid)?.();
  }

  /**
   * Stop a child: the `stop` command, then SIGTERM/SIGKILL (a thread is
   * terminated) after its `exitTimeout`. A spawn still waiting for the hub
   * starts nothing: it fails with {@link ActorExitedError}, as one stopped
   * before its handshake.
   * @param aid - the child's aid.
   * @returns `true` once it exited, `false` when there was no such actor.
   */
  async stop(aid: string): Promise<boolean> {
    const waiting = this.pending.get(aid);
    if (waiting !== undefined) {
      const { name } = waiting;
      this.fail(
        waiting,
        new ActorExitedError(`actor "${name}" (${aid}) stopped before it started`),
      );
      return true;
    }
    const child = this.children.get(aid);
    if (child === undefined) return false;
    const worker = child.proxy.worker;
    if (worker === undefined || worker.exited) return true;
    const exitTimeout = child.exitTimeout;
    child.stopping = true;
    if (child.link !== undefined && !child.link.closed) {
      this.context.sendStop(aid);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => worker.exit$.subscribe(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(resolve, exitTimeout, false))),
      ]);
      clearTimeout(timer);
      if (exited) return true;
      this.context.logger.warn(`actor ${aid} did not stop within ${exitTimeout} ms: terminating`);
    }
    await worker.terminate(2_000);
    return true;
  }

  /**
   * Stop every child, gracefully. A spawn still waiting for the hub starts
   * nothing: it fails with {@link InvalidStateError} (the arbiter is stopping).
   * @returns a promise fired once all exited.
   */
  async stopAll(): Promise<void> {
    this.failPending();
    await Promise.all([...this.children.keys()].map((aid) => this.stop(aid)));
    for (const settle of [...this.settling.values()]) settle();
  }

  /**
   * A process actor's hub connection closed. Unless its stop was announced
   * or asked for (or its end is certain already), it is dead to the
   * arbiter: a child that dropped its link while alive can neither be
   * reached nor answer, and is killed (SIGKILL) rather than left to drain
   * its requests for up to its `exitTimeout` while its pool is one short.
   * Everything else comes with its exit, as for any death: its pool
   * replaces it, what waited on it fails, `actorExited$` tells its code or
   * signal. The kill goes to its pid, not through `worker.kill()`, whose
   * `ending$` would tell its pool `SIGKILL` at once: a child that ends by
   * itself (with exit code 3) closes its connection before its exit is
   * seen too, and its pool's breaker names the code it exited with. Thread
   * actors (their channel) and workers on joined nodes (their node reports
   * their exit) are left alone.
   * @param aid - the actor whose connection closed.
   * @returns `true` when it was killed for it.
   */
  linkClosed(aid: string): boolean {
    const child = this.children.get(aid);
    if (child === undefined || !child.ready || child.stopping || child.ending) return false;
    const worker = child.proxy.worker;
    // Not reaped before its exit is seen: the pid is still its own.
    if (!(worker instanceof ProcessWorker) || worker.exited || worker.pid === 0) return false;
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      return false; // gone already
    }
    // Logged after its exit, when that was seen in the same turn (a line costs ~1 ms).
    const { name } = child.proxy;
    setImmediate(() =>
      this.context.logger.warn(
        `actor "${name}" (${aid}) closed its hub connection without stopping: killed`,
      ),
    );
    return true;
  }

  /**
   * A pool adopts its standby: from now on it is an actor like any other
   * (in `actors`, found by name), announced by `actorSpawned$` now.
   * @param aid - the standby's aid.
   * @returns `true` when it was a ready standby, alive and not being stopped.
   */
  adopt(aid: string): boolean {
    const child = this.children.get(aid);
    if (child?.standby !== true || !child.ready || child.ending || child.stopping) return false;
    if (child.proxy.worker?.exited === true) return false;
    child.standby = false;
    this.context.events._actorSpawned.next(child.proxy);
    return true;
  }

  /** SIGKILL every child (threads are terminated) at once; a spawn waiting for the hub fails. */
  killAll(): void {
    this.failPending();
    for (const child of this.children.values()) child.proxy.worker?.kill('SIGKILL');
  }

  /** Fail every spawn waiting for the hub: the arbiter is stopping. */
  private failPending(): void {
    for (const deferred of [...this.pending.values()]) {
      const error = `cannot spawn "${deferred.name}": the arbiter is stopping`;
      this.fail(deferred, new InvalidStateError(error));
    }
  }

  /** Fail a spawn waiting for the hub (it starts nothing). */
  private fail(deferred: ActorProxyDeferred, error: Error): void {
    this.pending.delete(deferred.aid);
    if (!deferred.called) deferred.errback(error);
  }

  private exited(aid: string, exit: ExitInfo): void {
    const child = this.children.get(aid);
    if (child === undefined) return;
    this.children.delete(aid);
    child.handshake?.unsubscribe();
    const { proxy, deferred } = child;
    const how = exit.signal ?? `code ${exit.exitCode}`;
    const error = new ActorExitedError(`actor "${proxy.name}" (${aid}) exited (${how})`);
    this.context.logger.debug(error.message);
    const exited = exitOf(child, exit);
    // Its pool replaces it first (from a warm spare: a message), then what
    // waited on it fails, while the replacement starts.
    this.tellMonitors(exited);
    if (!deferred.called) deferred.errback(error);
    if (child.link !== undefined) {
      this.context.failForwarded(child, error);
      child.link.close();
    }
    this.context.forget(aid, error.message);
    for (const actor of this.context.local.values()) actor.failRequests(error, aid);
    // A standby never announced (see adopt()) leaves unannounced too.
    if (child.standby !== true) this.context.events._actorExited.next(exited);
  }

  /** A worker is gone, or certain to be: its pool (if any) replaces it. */
  private tellMonitors(exit: ActorExit): void {
    for (const monitor of this.context.monitors.values()) {
      try {
        monitor.lost(exit);
      } catch (err) {
        // A pool's hook that threw: the exit is handled all the same.
        this.context.logger.error(
          `monitor "${monitor.name}" on the exit of ${exit.aid}: ${String(err)}`,
        );
      }
    }
  }
}

/** The `actorExited$` event of a child. */
function exitOf(child: Child, exit: ExitInfo): ActorExit {
  const { proxy } = child;
  return {
    aid: proxy.aid,
    name: proxy.name,
    concurrency: proxy.concurrency,
    exitCode: exit.exitCode,
    signal: exit.signal,
    proxy,
  };
}
