/**
 * Says what a pool's breaker does, once per change: the logs (and `info`)
 * name its state, and the monitor learns when it opened, to escalate or to
 * plan the half-open retry.
 * @module
 */
import type winston from 'winston';
import type { IOLoop } from '../eventloop/IOLoop.js';
import type { BreakerState, RestartPolicy } from './RestartPolicy.js';

/**
 * Watches one restart policy's breaker and logs each change of state.
 *
 * @example
 * ```ts
 * const watch = new BreakerWatch(policy, logger);
 * if (watch.check() === 'opened') escalate();
 * ```
 */
export class BreakerWatch {
  private last: BreakerState = 'closed';
  /** The timer of the next respawn (end of a backoff delay or of the breaker's cool-down). */
  private respawn: { unsubscribe(): void } | undefined;
  private respawnAt = 0;

  /**
   * @param policy - the pool's restart policy.
   * @param logger - the monitor's logger.
   */
  constructor(
    private readonly policy: RestartPolicy,
    private readonly logger: winston.Logger,
  ) {}

  /**
   * Look at the breaker; log a change.
   * @returns `opened` when it just opened (from closed or half-open), else what it is.
   */
  check(): BreakerState | 'opened' {
    const state = this.policy.state;
    const from = this.last;
    if (state === from) return state;
    this.last = state;
    const { reason, retryAt, settings } = this.policy;
    if (state === 'open') {
      const next =
        settings.onRestartLimit === 'escalate'
          ? 'escalating (onRestartLimit escalate)'
          : `half-open in ${Math.max(0, retryAt - Date.now())} ms`;
      this.logger.error(`breaker ${from} → open: ${reason ?? ''}; not respawning, ${next}`);
      return 'opened';
    }
    if (state === 'half-open') {
      this.logger.warn('breaker open → half-open: trying one worker');
    } else {
      this.logger.info(`breaker ${from} → closed: respawning as usual`);
    }
    return state;
  }

  /**
   * Look at the breaker ({@link check}); when it just opened with
   * `onRestartLimit: 'escalate'`, escalate.
   * @param escalate - gives up, with the breaker's reason.
   */
  watch(escalate: (reason: string) => void): void {
    if (this.check() !== 'opened') return;
    if (this.policy.settings.onRestartLimit === 'escalate') {
      escalate(this.policy.reason ?? 'restart limit');
    }
  }

  /**
   * One timer for the next moment a spawn may be allowed (backoff or
   * cool-down over); none when nothing is to wait for.
   * @param loop - the pool's loop.
   * @param then - called at that moment (the pool spawns).
   */
  planRespawn(loop: IOLoop, then: () => void): void {
    const policy = this.policy;
    const at = policy.state === 'open' ? policy.retryAt : policy.nextSpawnAt;
    // Nothing to wait for (escalated; or a half-open trial on its way,
    // whose outcome spawns again): no timer.
    if (at <= Date.now() || (this.respawn !== undefined && this.respawnAt === at)) return;
    this.respawn?.unsubscribe();
    this.respawnAt = at;
    const wait = Math.max(0, at - Date.now()) + 1;
    this.logger.debug(
      `respawning in ${wait} ms (${policy.state === 'open' ? 'cool-down' : 'backoff'})`,
    );
    this.respawn = loop.addTimeout(wait, () => {
      this.respawn = undefined;
      then();
    });
  }

  /** Cancel the planned respawn (the pool stops). */
  cancel(): void {
    this.respawn?.unsubscribe();
    this.respawn = undefined;
  }
}
