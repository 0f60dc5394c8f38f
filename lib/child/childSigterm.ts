/**
 * SIGTERM in a process actor. A service manager that stops the whole
 * process group (systemd's `KillMode=control-group`, `kill -TERM -<pgid>`)
 * signals the arbiter and every worker at once: the arbiter's graceful stop
 * is the one that loses no request (every server stops accepting before
 * any drains), so a worker first gives its arbiter a moment to drive it.
 * @module
 */
import type { Actor } from '../actor/Actor.js';

/**
 * How long a process actor waits, after a SIGTERM, for its arbiter to
 * begin stopping it before it stops by itself, in ms.
 */
export const SIGTERM_DEFER_MS = 1_000;

/**
 * Handle SIGTERM for the actor of this process: a first one is a request
 * for a graceful stop (after {@link SIGTERM_DEFER_MS} unless the stop began
 * meanwhile, or at once on a second one); one while the actor stops is the
 * forced step of the arbiter's `terminate()`, and the process dies of it.
 *
 * @param actor - the actor of this process.
 * @returns removes the handler.
 * @example
 * ```ts
 * const release = handleSigterm(actor);
 * await stopped;
 * release();
 * ```
 */
export function handleSigterm(actor: Actor): () => void {
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearTimeout(timer);
    if (actor.state === 'stopping' || actor.state === 'closed') return;
    actor.logger.info('SIGTERM: stopping gracefully');
    void actor.stop();
  };
  const onSigterm = (): void => {
    if (actor.state === 'stopping' || actor.state === 'closed') {
      process.off('SIGTERM', onSigterm);
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    if (timer !== undefined) {
      stop();
      return;
    }
    timer = setTimeout(stop, SIGTERM_DEFER_MS);
    timer.unref();
  };
  process.on('SIGTERM', onSigterm);
  return () => {
    clearTimeout(timer);
    process.off('SIGTERM', onSigterm);
  };
}
