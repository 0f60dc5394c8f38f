/**
 * Warm spares: child processes and threads started ahead of need, their
 * modules loaded, waiting for the data of the actor they become. A spawn
 * takes one when there is one (see `startChild`), so that it costs a
 * message and a handshake instead of a process start and the loading of
 * rxpulsar; the spare is then replaced in the background, once the actor
 * it became runs. Spares are kept only while someone asks for them (a
 * pool, through {@link SpareChildren.keep}); they are no actors and no
 * workers of any pool, and end when the last holder releases them.
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

interface Spare {
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

/**
 * The spares of this process, per kind.
 *
 * @example
 * ```ts
 * const release = spares.keep('process');      // one warm process from now on
 * const worker = spares.take('process', data); // an actor, or undefined
 * await release();                             // the spare ends
 * ```
 */
export class SpareChildren {
  private readonly wanted: Record<Kind, number> = { process: 0, thread: 0 };
  private readonly idle: Record<Kind, Spare[]> = { process: [], thread: [] };
  private readonly earlyDeaths: Record<Kind, number> = { process: 0, thread: 0 };

  /**
   * @param entries - the entry modules of each kind (started without data).
   */
  constructor(private readonly entries: Record<Kind, URL>) {}

  /** Spares started and not taken yet, per kind (warm or warming up). */
  get count(): Record<Kind, number> {
    return { process: this.idle.process.length, thread: this.idle.thread.length };
  }

  /** Spares warm (modules loaded, waiting for their data), per kind. */
  get warm(): Record<Kind, number> {
    const warm = (list: Spare[]): number => list.filter((s) => s.warm).length;
    return { process: warm(this.idle.process), thread: warm(this.idle.thread) };
  }

  /**
   * Keep `n` more spares of a kind ready from now on.
   *
   * @param kind - `process` or `thread`.
   * @param n - how many (default 1).
   * @returns a function that gives them back: it resolves once the spares
   *   no longer wanted have exited.
   */
  keep(kind: Kind, n = 1): () => Promise<void> {
    const count = Math.max(0, Math.floor(n));
    this.wanted[kind] += count;
    this.earlyDeaths[kind] = 0;
    this.fill(kind);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.wanted[kind] -= count;
      const surplus = this.idle[kind].splice(this.wanted[kind]);
      await Promise.all(surplus.map((s) => this.discard(s)));
    };
  }

  /**
   * Turn a spare into the actor of `data`, if there is one of this kind
   * started like a new child would be now.
   *
   * @param data - the actor's start data.
   * @param port - a thread's end of its channel to the arbiter.
   * @returns the worker, or `undefined` (start a child then).
   */
  take(data: ChildData, port?: MessagePort): ProcessWorker | ThreadWorker | undefined {
    const kind = data.concurrency;
    const list = this.idle[kind];
    if (list.length === 0) return undefined;
    const now = signature();
    let spare: Spare | undefined;
    while ((spare = list.shift()) !== undefined && spare.signature !== now) {
      void this.discard(spare);
    }
    if (spare === undefined) {
      this.fill(kind);
      return undefined;
    }
    spare.taken = true;
    if (port !== undefined) data.port = port;
    const assignment: SpareAssignment = { rxpulsar: 'data', data };
    if (spare.worker instanceof ThreadWorker) {
      // A thread's port queues messages until it listens.
      spare.worker.post(assignment, port === undefined ? undefined : [port]);
    } else if (spare.warm) spare.worker.post(assignment);
    else spare.pending = assignment;
    return spare.worker;
  }

  private async discard(spare: Spare): Promise<void> {
    spare.discarded = true;
    await spare.worker.terminate(1000);
  }

  /** Start spares up to what is wanted. */
  private fill(kind: Kind): void {
    const list = this.idle[kind];
    while (list.length < this.wanted[kind] && this.earlyDeaths[kind] < MAX_EARLY_DEATHS) {
      list.push(this.start(kind));
    }
  }

  private start(kind: Kind): Spare {
    const options = { entry: this.entries[kind], data: undefined, name: `rxpulsar spare ${kind}` };
    const spare: Spare = {
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
        this.earlyDeaths[kind] = 0;
        if (spare.pending !== undefined) spare.worker.post(spare.pending);
        spare.pending = undefined;
      } else if (what === 'running') {
        // Its successor starts once the actor runs, not to slow its handshake.
        spare.running = true;
        this.fill(kind);
      }
    });
    spare.worker.exit$.subscribe(() => {
      const list = this.idle[kind];
      const at = list.indexOf(spare);
      if (at >= 0) list.splice(at, 1);
      if (spare.discarded || spare.running) return;
      if (!spare.warm) this.earlyDeaths[kind]++;
      this.fill(kind);
    });
    return spare;
  }
}
