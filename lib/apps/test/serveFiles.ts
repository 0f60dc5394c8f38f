/**
 * Worker side of a {@link TestSuite}: the commands a worker actor answers
 * (run a file, stop it, kill its runner) and the relay of its runner's
 * events to the monitor, batched per turn of the actor's loop.
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import { takeRunner, type RunnerHandle } from './RunnerHandle.js';
import { runnerCommands } from './runnerCommands.js';
import { FILE_EVENTS } from './wire.js';

/** The least time between two messages of events to the monitor, in ms. */
const RELAY_EVERY_MS = 10;
/** Events that end a batch and are relayed at once: a file's end, its runner's, a file given back. */
const URGENT = /"name":"(?:file end|runner exit|dropped)"/;
/** How far from a batch's end those events are looked for (the last event of its batch). */
const URGENT_TAIL = 160;

/**
 * Make `worker` run spec files for the monitor named `monitor`.
 *
 * @param worker - the worker actor.
 * @param monitor - the name of the app's monitor, which hears the events.
 * @param kind - where the specs run: a child process or a worker thread.
 * @param execArgv - Node options of a child process (default: this process's).
 * @returns the worker's runner (close it when the worker stops).
 * @example
 * ```ts
 * override workerStart(worker: Actor) { this.runner = serveFiles(worker, this.name, 'process'); }
 * ```
 */
export function serveFiles(
  worker: Actor,
  monitor: string,
  kind: 'process' | 'thread',
  execArgv?: string[],
): RunnerHandle {
  let queue: string[] = [];
  // Each runner batch is a JSON array whose first item is its job's id.
  const idOf = (batch: string): number => Number(batch.slice(1, batch.indexOf(',')));
  const flush = (): void => {
    scheduled = undefined;
    last = performance.now();
    const batches = queue;
    queue = [];
    // One message per job (the batches of a turn may straddle two jobs).
    for (let i = 0; i < batches.length;) {
      const id = idOf(batches[i]!);
      let j = i;
      while (j < batches.length && idOf(batches[j]!) === id) j++;
      const items = batches.slice(i, j).map((b) => b.slice(b.indexOf(',') + 1, -1));
      // The worker's aid: a runner that died names no job (the monitor knows
      // which). No reply: the monitor acknowledges nothing.
      worker
        .tell(monitor, FILE_EVENTS, id, `[${items.join(',')}]`, worker.aid)
        .addErrback(() => undefined);
      i = j;
    }
  };
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let scheduled: 'now' | 'later' | undefined;
  const push = (batch: string): void => {
    queue.push(batch);
    // The end of a file (or of its runner, or a file given back) goes on at
    // once: the monitor sends the next file as it hears it, and a runner
    // holds only one file ahead, so files quicker than the relay's period
    // would wait for it (about 9 ms per empty file on one worker).
    if (URGENT.test(batch.slice(-URGENT_TAIL))) {
      if (scheduled === 'now') return;
      clearTimeout(timer);
      scheduled = 'now';
      setImmediate(flush);
      return;
    }
    if (scheduled !== undefined) return;
    // A runner's batches are read at once (it may die or hang next); they
    // go on together, at most every RELAY_EVERY_MS.
    const wait = last + RELAY_EVERY_MS - performance.now();
    if (wait <= 0) {
      scheduled = 'now';
      setImmediate(flush);
    } else {
      scheduled = 'later';
      timer = setTimeout(flush, wait);
    }
  };
  const runner = takeRunner(kind, execArgv);
  runner.onEvent = push;
  runner.onExit = (exit) => push(`[0,${JSON.stringify({ name: 'runner exit', ...exit })}]`);
  for (const [name, command] of runnerCommands(runner)) {
    worker.command(name, (_actor: Actor, arg: unknown) => command(arg));
  }
  return runner;
}
