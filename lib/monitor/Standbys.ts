/**
 * A pool's standbys: workers started ahead of need, with the pool's
 * parameters, their behaviour loaded, their `start` hook run and their
 * handshake done, that receive nothing until a worker of the pool dies.
 * Then the pool adopts one at once: a heal costs the exit's detection, not
 * a spawn. They are no workers of the pool until adopted (not counted, not
 * in its `info().actors`, nor in the arbiter's `actors`, no
 * `actorSpawned$`, not found by name).
 * @module
 */
import type winston from 'winston';
import type { ActorProxy, ActorProxyDeferred } from '../actor/ActorProxy.js';
import { SUCCESSOR_DELAY_MS } from '../child/SpareChildren.js';
import { spares } from '../child/startWorker.js';

/** The longest wait before a standby that died is replaced, in ms. */
const MAX_REFILL_DELAY_MS = 10_000;

/** What the standbys need of their pool. */
export interface StandbyHost {
  readonly logger: winston.Logger;
  /** How many standbys are wanted now (0 while the pool does not run). */
  wanted(): number;
  /** Whether a new standby may start now (the pool's breaker and backoff). */
  canStart(): boolean;
  /** Spawn a standby with the pool's parameters. */
  spawn(): ActorProxyDeferred;
  /** Stop one gracefully. */
  stop(aid: string): Promise<unknown>;
}

/**
 * The standbys of one pool.
 *
 * @example
 * ```ts
 * const standbys = new Standbys(host);
 * standbys.warm('process', 1, pool.aid); // its spare; standbys up to host.wanted()
 * const proxy = standbys.take();     // a ready standby, or undefined
 * await standbys.release();
 * ```
 */
export class Standbys {
  private readonly starting = new Map<string, ActorProxyDeferred>();
  private readonly ready = new Map<string, ActorProxy>();
  /** Frozen standbys being killed (see check()): never taken, replaced at their exit. */
  private readonly dying = new Set<string>();
  /** No standby starts before this time (ms since the epoch). */
  private notBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  /**
   * Standbys that died or failed to start in a row, none adopted: the
   * refill waits longer each time.
   */
  private deaths = 0;
  /** The pool reached its size once: standbys may start. */
  private warmed = false;
  /** Gives the pool's warm spares back. */
  private releaseSpares: (() => Promise<void>) | undefined;

  /** @param host - the pool. */
  constructor(private readonly host: StandbyHost) {}

  /** Standbys ready (handshake done). */
  get count(): number {
    return this.ready.size;
  }

  /** Standbys ready, oldest first. */
  get proxies(): ActorProxy[] {
    return [...this.ready.values()];
  }

  /**
   * Take the oldest ready standby (it is the caller's to adopt); its
   * successor starts {@link SUCCESSOR_DELAY_MS} later, not to slow down
   * the first requests of the one taken.
   * @returns its proxy, or `undefined` when none is ready.
   */
  take(): ActorProxy | undefined {
    for (const [aid, proxy] of this.ready) {
      this.ready.delete(aid);
      if (proxy.worker?.exited === true) continue; // its exit is on its way
      this.deaths = 0;
      this.later(SUCCESSOR_DELAY_MS);
      return proxy;
    }
    return undefined;
  }

  /**
   * The pool reached its size: keep its warm spares (children with
   * rxpulsar loaded, see `SpareChildren`) and start its standbys.
   * @param kind - the pool's concurrency.
   * @param count - how many spares.
   * @param owner - the pool's aid (its spawns claim its spares).
   */
  warm(kind: 'process' | 'thread', count: number, owner: string): void {
    if (this.warmed) return;
    this.warmed = true;
    if (count > 0) this.releaseSpares = spares.keep(kind, count, owner);
    this.fill();
  }

  /**
   * Start standbys up to what is wanted, unless a delay runs or the pool
   * may not spawn now (then its next `fill()`, every tick of the pool).
   */
  fill(): void {
    if (!this.warmed) return;
    if (Date.now() < this.notBefore) {
      this.arm();
      return;
    }
    const count = (): number => this.starting.size + this.ready.size + this.dying.size;
    while (count() < this.host.wanted() && this.host.canStart()) {
      this.start();
    }
  }

  /**
   * An actor exited (or is certain to): if it was a standby, forget it and
   * replace it (later each time one dies in a row, up to 10 s).
   * @param aid - the actor.
   * @returns `true` when it was one of these standbys.
   */
  lost(aid: string): boolean {
    if (this.ready.delete(aid) || this.dying.delete(aid)) {
      this.host.logger.warn(`standby ${aid} exited: replacing it`);
      this.backOff();
      return true;
    }
    // One that had not started yet: its spawn's Deferred fails (see start()).
    return this.starting.has(aid);
  }

  /**
   * Stop the standbys that were silent for longer than `timeout` (frozen):
   * no longer ready (never taken while they are killed), they are replaced
   * at their exit.
   * @param now - the time (ms since the epoch).
   * @param timeout - the pool's heartbeat deadline, in ms.
   * @param killGrace - SIGTERM to SIGKILL, in ms.
   */
  check(now: number, timeout: number, killGrace: number): void {
    for (const [aid, proxy] of this.ready) {
      if (now - proxy.lastNotified <= timeout) continue;
      this.ready.delete(aid);
      this.dying.add(aid);
      this.host.logger.warn(`standby ${aid} sent no heartbeat: killing it`);
      void proxy.worker?.terminate(killGrace);
    }
  }

  /**
   * Stop every standby (a graceful stop, or a reload: those started with
   * the old code go); new ones start no sooner than {@link SUCCESSOR_DELAY_MS}
   * from now.
   * @returns a promise fired once they exited.
   */
  async stopAll(): Promise<void> {
    this.later(SUCCESSOR_DELAY_MS);
    const aids = [...this.starting.keys(), ...this.ready.keys(), ...this.dying];
    for (const d of this.starting.values()) d.addErrback(() => undefined);
    this.starting.clear();
    this.ready.clear();
    this.dying.clear();
    await Promise.all(aids.map((aid) => this.host.stop(aid)));
  }

  /**
   * The pool stops: no new standby starts, those there stop, the spares end.
   * @returns a promise fired once they exited.
   */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.notBefore = Infinity;
    await this.stopAll();
    await this.releaseSpares?.();
    this.releaseSpares = undefined;
  }

  /** One more standby lost in a row: the next starts later (up to 10 s). */
  private backOff(): void {
    this.deaths++;
    this.later(Math.min(MAX_REFILL_DELAY_MS, SUCCESSOR_DELAY_MS * 2 ** (this.deaths - 1)));
  }

  private later(ms: number): void {
    if (this.notBefore === Infinity) return;
    this.notBefore = Math.max(this.notBefore, Date.now() + ms);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined || this.notBefore === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.fill();
      },
      Math.max(0, this.notBefore - Date.now()),
    );
    this.timer.unref();
  }

  private start(): void {
    const d = this.host.spawn();
    this.starting.set(d.aid, d);
    d.addCallbacks(
      (proxy) => {
        // Stopped (stopAll) while it started: not ours any more.
        if (this.starting.delete(d.aid)) this.ready.set(proxy.aid, proxy);
        return proxy;
      },
      (err: unknown) => {
        // No worker died: the pool's restart policy (backoff, breaker,
        // escalation) is not told; the standbys back off on their own.
        if (this.starting.delete(d.aid)) {
          const why = err instanceof Error ? err.message : String(err);
          this.host.logger.warn(`a standby failed to start: ${why}`);
          this.backOff();
        }
        return undefined;
      },
    );
  }
}
