/**
 * Says what a pool's breaker does, once per change: the logs (and `info`)
 * name its state, and the monitor learns when it opened, to escalate or to
 * plan the half-open retry.
 * @module
 */
import type winston from 'winston';
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
}
