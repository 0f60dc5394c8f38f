/**
 * Warm spares: child processes and threads started ahead of need, their
 * modules loaded, waiting for the data of the actor they become. A spawn
 * takes one when there is one (see `startChild`), so that it costs a
 * message and a handshake instead of a process start and the loading of
 * rxpulsar; the spare is then replaced in the background, once the actor
 * it became runs. Spares are kept only while someone asks for them (a
 * pool, through {@link SpareChildren.keep}), for that holder's spawns only
 * (see {@link SpareChildren.claim}); they are no actors and no workers of
 * any pool, and end when their holder releases them.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { ProcessWorker } from '../concurrency/ProcessWorker.js';
import { ThreadWorker } from '../concurrency/ThreadWorker.js';
import type { ChildData } from './ChildData.js';
import { SPARE_ENV, spareMessage, type SpareAssignment } from './spareProtocol.js';

type Kind = 'process' | 'thread';

/** A spare dying this many times in a row before it is warm stops the refills (until the next `keep`). */
const MAX_EARLY_DEATHS = 3;

/**
 * How long after a spare's actor runs its successor starts, in ms: starting
 * a child blocks this process's loop (`fork()` waits for the child's `exec`,
 * 4-10 ms on a loaded 2-core machine) and its start takes a core, which the
 * new actor's first requests would otherwise pay.
 */
export const SUCCESSOR_DELAY_MS = 50;
/**
 * Spares of one holder starting at once, at most (as a pool's default
 * `maxSpawning`): the next starts as one is warm, so that `spares: 1024`
 * does not start a thousand children in the same instant.
 */
export const MAX_COLD_SPARES = 64;

interface Spare {
  kind: Kind;
  worker: ProcessWorker | ThreadWorker;
  /** What it was started with: a spawn with other flags, variables or folder starts its own child. */
  signature: string;
  /** It loaded its modules and listens for its data. */
  warm: boolean;
  /** Data waiting for the spare to be warm (a process listens once it loaded its modules). */
  pending?: SpareAssignment;
  /** It became an actor. */
  taken: boolean;
  /** Its actor reported running (its successor is on its way). */
  running: boolean;
  /** Ended on purpose (released, or started with other settings than a spawn's now). */
  discarded: boolean;
}

/** What a child inherits from this process when it starts. */
function signature(): string {
  return JSON.stringify([process.execArgv, process.cwd(), process.env]);
}

/** The spares of one holder and kind. */
interface Shelf {
  kind: Kind;
  wanted: number;
  idle: Spare[];
  /** Spares that died before they were warm, in a row. */
  earlyDeaths: number;
  /** A spare taken is not replaced (see `keep`'s `once`). */
  once: boolean;
  /** The start of a successor, planned (see {@link SUCCESSOR_DELAY_MS}). */
  refill?: NodeJS.Timeout;
}

/**
 * The spares of this process, per holder and kind.
 *
 * @example
 * ```ts
 * const release = spares.keep('process', 1, 'web');                // one warm process for "web"
 * const worker = spares.claim('web', () => spares.take(data));      // the actor, or undefined
 * await release();                                                   // the spare ends
 * ```
 */
export class SpareChildren {
  private readonly shelves = new Map<string, Shelf>();
  /** The holder whose spawn runs now (see `claim`); `''` for any other spawn. */
  private owner = '';

  /**
   * @param entries - the entry modules of each kind (started without data).
   */
  /**
   * @param entries - the entry module of each kind of child.
   * @param maxCold - spares of one holder starting at once (default {@link MAX_COLD_SPARES}).
   */
  constructor(
    private readonly entries: Record<Kind, URL>,
    private readonly maxCold = MAX_COLD_SPARES,
  ) {}

  /** Spares started and not taken yet, per kind (warm or warming up), of every holder. */
  get count(): Record<Kind, number> {
    return this.countOf(() => true);
  }

  /** Spares warm (modules loaded, waiting for their data), per kind, of every holder. */
  get warm(): Record<Kind, number> {
    return this.countOf((s) => s.warm);
  }

  /**
   * Keep `n` more spares of a kind ready from now on, for the spawns of
   * `owner` (run inside {@link claim}), or, without one, for every other spawn.
   *
   * @param kind - `process` or `thread`.
   * @param n - how many (default 1).
   * @param owner - the holder (a pool's aid); default: spawns outside any claim.
   * @param once - a spare taken is not replaced (spares started ahead of a
   *   pool's first workers, for a holder of their own: see {@link hand}).
   * @returns a function that gives them back: it resolves once the spares
   *   no longer wanted have exited.
   */
  keep(kind: Kind, n = 1, owner = '', once = false): () => Promise<void> {
    const count = Math.max(0, Math.floor(n));
    let shelf = this.shelves.get(`${kind}:${owner}`);
    if (shelf === undefined) {
      shelf = { kind, wanted: 0, idle: [], earlyDeaths: 0, once };
      this.shelves.set(`${kind}:${owner}`, shelf);
    }
    const mine = shelf;
    mine.wanted += count;
    mine.earlyDeaths = 0;
    this.fill(mine);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      mine.wanted = Math.max(0, mine.wanted - count);
      const surplus = mine.idle.splice(mine.wanted);
      if (mine.wanted === 0) this.drop(mine);
      await Promise.all(surplus.map((s) => this.discard(s)));
    };
  }

  /**
   * Give the spares kept for `from` to `to` (a pool made after they
   * started): they become the spares of `to`'s spawns.
   *
   * @param kind - `process` or `thread`.
   * @param from - the holder they were kept for.
   * @param to - the new holder (a pool's aid).
   * @example
   * ```ts
   * const release = spares.keep('thread', 2, 'early', true);
   * // ... once the pool exists:
   * spares.hand('thread', 'early', monitor.aid);
   * ```
   */
  hand(kind: Kind, from: string, to: string): void {
    const shelf = this.shelves.get(`${kind}:${from}`);
    if (shelf === undefined || this.shelves.has(`${kind}:${to}`)) return;
    this.shelves.delete(`${kind}:${from}`);
    this.shelves.set(`${kind}:${to}`, shelf);
  }

  private drop(shelf: Shelf): void {
    clearTimeout(shelf.refill);
    shelf.refill = undefined;
    for (const [key, value] of this.shelves) if (value === shelf) this.shelves.delete(key);
  }

  /**
   * Run `spawn` as `owner`'s: a {@link take} inside takes its spares.
   *
   * @param owner - the holder.
   * @param spawn - starts the worker, synchronously.
   * @returns what `spawn` returns.
   */
  claim<T>(owner: string, spawn: () => T): T {
    const before = this.owner;
    this.owner = owner;
    try {
      return spawn();
    } finally {
      this.owner = before;
    }
  }

  /**
   * Turn a spare into the actor of `data`, if the spawn's holder (see
   * {@link claim}) keeps one of this kind started like a new child would be now.
   *
   * @param data - the actor's start data.
   * @param port - a thread's end of its channel to the arbiter.
   * @returns the worker, or `undefined` (start a child then).
   */
  take(data: ChildData, port?: MessagePort): ProcessWorker | ThreadWorker | undefined {
    const shelf = this.shelves.get(`${data.concurrency}:${this.owner}`);
    if (shelf === undefined) return undefined;
    // A successor planned and not started yet starts now, and this spawn
    // takes it (its data waits until it is warm), as it would have before.
    if (shelf.idle.length === 0 && shelf.refill !== undefined) this.fill(shelf);
    if (shelf.idle.length === 0) return undefined;
    const now = signature();
    let spare: Spare | undefined;
    while ((spare = shelf.idle.shift()) !== undefined && spare.signature !== now) {
      void this.discard(spare);
    }
    if (spare === undefined) {
      if (!shelf.once) this.fill(shelf);
      return undefined;
    }
    spare.taken = true;
    if (shelf.once && --shelf.wanted === 0 && shelf.idle.length === 0) this.drop(shelf);
    if (port !== undefined) data.port = port;
    const assignment: SpareAssignment = { rxpulsar: 'data', data };
    if (spare.worker instanceof ThreadWorker) {
      // A thread's port queues messages until it listens.
      spare.worker.post(assignment, port === undefined ? undefined : [port]);
    } else if (spare.warm) void spare.worker.post(assignment);
    else spare.pending = assignment;
    return spare.worker;
  }

  private countOf(which: (s: Spare) => boolean): Record<Kind, number> {
    const counts = { process: 0, thread: 0 };
    for (const shelf of this.shelves.values()) {
      counts[shelf.kind] += shelf.idle.filter(which).length;
    }
    return counts;
  }

  private async discard(spare: Spare): Promise<void> {
    spare.discarded = true;
    await spare.worker.terminate(1000);
  }

  /** Start spares up to what is wanted (a released shelf wants none). */
  private fill(shelf: Shelf): void {
    clearTimeout(shelf.refill);
    shelf.refill = undefined;
    let cold = 0;
    for (const spare of shelf.idle) if (!spare.warm) cold++;
    while (
      shelf.idle.length < shelf.wanted &&
      shelf.earlyDeaths < MAX_EARLY_DEATHS &&
      cold++ < this.maxCold
    ) {
      shelf.idle.push(this.start(shelf));
    }
  }

  private start(shelf: Shelf): Spare {
    const { kind } = shelf;
    const options = { entry: this.entries[kind], data: undefined, name: `rxpulsar spare ${kind}` };
    const spare: Spare = {
      kind,
      worker:
        kind === 'process'
          ? new ProcessWorker({ ...options, env: { [SPARE_ENV]: '1' } })
          : new ThreadWorker(options),
      signature: signature(),
      warm: false,
      taken: false,
      running: false,
      discarded: false,
    };
    spare.worker.messages$.subscribe((message) => {
      const what = spareMessage(message);
      if (what === 'spare') {
        spare.warm = true;
        shelf.earlyDeaths = 0;
        if (spare.pending !== undefined) void spare.worker.post(spare.pending);
        spare.pending = undefined;
        // One less starting: the next of a large number may start.
        if (shelf.idle.length < shelf.wanted && shelf.refill === undefined) this.fill(shelf);
      } else if (what === 'running') {
        // Its successor starts a little after the actor runs: not to slow
        // its handshake down, nor its first requests.
        spare.running = true;
        if (shelf.refill === undefined) {
          shelf.refill = setTimeout(() => this.fill(shelf), SUCCESSOR_DELAY_MS);
          shelf.refill.unref();
        }
      }
    });
    spare.worker.exit$.subscribe(() => {
      const at = shelf.idle.indexOf(spare);
      if (at >= 0) shelf.idle.splice(at, 1);
      if (spare.discarded || spare.running) return;
      if (!spare.warm) shelf.earlyDeaths++;
      this.fill(shelf);
    });
    return spare;
  }
}
