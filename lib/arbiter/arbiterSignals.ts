/**
 * The arbiter's signals. `SIGTERM`/`SIGINT`: graceful stop (workers finish
 * in-flight work up to `gracefulTimeout`, then have half a second to exit),
 * then exit 0; a second one
 * during the stop turns it into a fast stop, unless it comes within
 * {@link REPEAT_MS} of the first: that is the same Ctrl-C relayed by a
 * wrapper (npm, tsx and others pass SIGINT on to their child, which the
 * terminal already signalled as part of its process group). `SIGQUIT`: fast stop (workers
 * killed at once), exit 0. `SIGHUP`: reload and replace every worker,
 * rolling. `SIGTTIN`/`SIGTTOU`: one worker more/less on every monitor.
 *
 * The end of a stop is reported, not acted on: {@link requestExit} with 0
 * (`process.exitCode`); the command line's exit policy ends the process.
 * @module
 */
import { Subscription } from '../rx.js';
import { requestExit } from '../util/requestExit.js';
import type { Arbiter } from './Arbiter.js';

/**
 * A SIGINT/SIGTERM this soon (ms) after the one that began a graceful stop
 * is taken as the same signal relayed, and ignored.
 */
export const REPEAT_MS = 500;

/** How long past `gracefulTimeout` workers have to log what they cut and exit (at most `exitTimeout`). */
const CUT_MS = 500;

/**
 * Listen to the signals for `arbiter` (through its loop, so stopping the
 * loop removes the listeners).
 *
 * @param arbiter - the arbiter.
 * @returns the subscription that removes the listeners.
 * @example
 * ```ts
 * const a = arbiter();
 * a.events.stopped$.subscribe(() => subscription.unsubscribe());
 * const subscription = installSignals(a);
 * ```
 */
export function installSignals(arbiter: Arbiter): Subscription {
  const subscription = new Subscription();
  let stopping: 'graceful' | 'fast' | undefined;
  let gracefulAt = 0;
  const on = (signal: NodeJS.Signals, handler: () => void): void => {
    subscription.add(arbiter.loop.signal(signal).subscribe(handler));
  };
  const exit = (): void => {
    requestExit(0);
  };
  const fast = (signal: NodeJS.Signals): void => {
    if (stopping === 'fast') return;
    stopping = 'fast';
    arbiter.logger.warn(`${signal}: stopping now`);
    void arbiter.terminate().then(exit, exit);
  };
  const graceful = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      if (stopping === 'graceful' && Date.now() - gracefulAt < REPEAT_MS) {
        arbiter.logger.debug(`${signal} again within ${REPEAT_MS} ms: the same one, relayed`);
        return;
      }
      fast(signal);
      return;
    }
    stopping = 'graceful';
    gracefulAt = Date.now();
    arbiter.logger.info(`${signal}: stopping gracefully`);
    // Workers have gracefulTimeout for their work in flight, then a moment
    // to say what they cut and exit; past that the stop turns fast (workers
    // killed).
    const limit = arbiter.gracefulTimeout + Math.min(arbiter.cfg.exitTimeout, CUT_MS);
    const timer = setTimeout(() => fast(signal), limit);
    arbiter.stop().addBoth(() => {
      clearTimeout(timer);
      exit();
    });
  };
  const resize = (delta: number, signal: NodeJS.Signals): void => {
    for (const monitor of arbiter.monitors.values()) {
      // A pool at MAX_POOL_WORKERS stays so; the others grow.
      try {
        monitor.resize(monitor.workers + delta, signal);
      } catch (err) {
        arbiter.logger.warn(`${signal}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  on('SIGTERM', () => graceful('SIGTERM'));
  on('SIGINT', () => graceful('SIGINT'));
  on('SIGQUIT', () => fast('SIGQUIT'));
  on('SIGHUP', () => void arbiter.reload());
  on('SIGTTIN', () => resize(1, 'SIGTTIN'));
  on('SIGTTOU', () => resize(-1, 'SIGTTOU'));
  return subscription;
}
