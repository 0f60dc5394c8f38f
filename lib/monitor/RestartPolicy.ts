/**
 * When a pool may respawn: exponential backoff with jitter after every
 * failed start or crash, and a circuit breaker past the restart intensity
 * (`maxRestarts` within `restartWindow`) that never leaves a dead pool
 * behind: it stays open for a cool-down, then goes half-open and tries one
 * worker; a restart while half-open opens it again for twice as long
 * (capped), a half-open `restartWindow` without one closes it. With
 * `onRestartLimit: 'escalate'` the monitor stops the arbiter instead, as an
 * Erlang supervisor would (see `Monitor`).
 * @module
 */

/** What a pool does once its restart intensity is exceeded. */
export type RestartLimitAction = 'retry' | 'escalate';

/** The state of the breaker: `closed` (respawning), `open` (cooling down), `half-open` (on trial). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Settings of the restart policy. */
export interface RestartSettings {
  /** Restarts allowed within `restartWindow` before the breaker opens (default 10). */
  maxRestarts: number;
  /** The window, in ms (default 60 s); also how long the breaker stays half-open on trial. */
  restartWindow: number;
  /** First backoff delay after a failed start or a crash, in ms (default 100). */
  backoffBase: number;
  /** Longest backoff delay, in ms (default 10 s). */
  backoffMax: number;
  /** How long the breaker stays open before it goes half-open, in ms (default 30 s); doubles each time it opens again. */
  restartCooldown: number;
  /** Longest cool-down, in ms (default 5 min). */
  restartCooldownMax: number;
  /** Past the limit: `retry` (cool down, then half-open; default) or `escalate` (stop the arbiter, exit 1). */
  onRestartLimit: RestartLimitAction;
}

/** The defaults of {@link RestartSettings}. */
export const DEFAULT_RESTART: RestartSettings = {
  maxRestarts: 10,
  restartWindow: 60_000,
  backoffBase: 100,
  backoffMax: 10_000,
  restartCooldown: 30_000,
  restartCooldownMax: 300_000,
  onRestartLimit: 'retry',
};

/**
 * Tracks failures and restarts of one pool.
 *
 * @example
 * ```ts
 * const policy = new RestartPolicy(DEFAULT_RESTART);
 * policy.failedStart(new Error('boom'));
 * policy.canSpawn(); // false until the backoff delay has passed
 * policy.state; // 'closed' ('open' past maxRestarts, 'half-open' after the cool-down)
 * ```
 */
export class RestartPolicy {
  /** Restarts in the current window, as timestamps. */
  private restarts: number[] = [];
  /** Failed starts in a row. */
  private failures = 0;
  private notBefore = 0;
  /** Times the breaker opened since it last closed. */
  private openings = 0;
  private openUntil = 0;
  private halfOpenSince = 0;
  /** Half-open: a trial worker is on its way; `tried`: one started. */
  private trialPending = false;
  private tried = false;
  /** Why the breaker opened, while it is open or half-open. */
  reason: string | undefined;
  /** The limits and delays. */
  settings: RestartSettings;

  /**
   * @param settings - limits and delays (missing keys take the defaults).
   * @param now - the clock (tests may pass a fake one).
   * @param random - the jitter source, in [0, 1).
   */
  constructor(
    settings: Partial<RestartSettings>,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.settings = { ...DEFAULT_RESTART, ...settings };
  }

  /** The breaker's state; an open breaker whose cool-down is over is half-open. */
  get state(): BreakerState {
    if (this.reason === undefined) return 'closed';
    if (this.halfOpenSince === 0 && this.now() >= this.openUntil && this.canRetry()) {
      this.halfOpenSince = this.now();
      [this.trialPending, this.tried] = [false, false];
    }
    if (this.halfOpenSince === 0) return 'open';
    // A half-open window without a restart closes the breaker.
    if (this.now() - this.halfOpenSince >= this.settings.restartWindow) this.close();
    return this.reason === undefined ? 'closed' : 'half-open';
  }

  /** `true` while the breaker is open (cooling down; not half-open). */
  get open(): boolean {
    return this.state === 'open';
  }

  /** When an open breaker goes half-open (ms since the epoch); 0 when it is not open. */
  get retryAt(): number {
    return this.state === 'open' && this.canRetry() ? this.openUntil : 0;
  }

  /** Restarts counted in the current window. */
  get recentRestarts(): number {
    this.prune();
    return this.restarts.length;
  }

  /** Failed starts in a row. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** When the next spawn is allowed by the backoff (ms since the epoch). */
  get nextSpawnAt(): number {
    return this.notBefore;
  }

  /**
   * @returns `true` when a worker may be spawned now: the breaker closed and
   * no backoff delay running, or half-open with no trial on its way.
   */
  canSpawn(): boolean {
    const state = this.state;
    if (state === 'open') return false;
    if (state === 'half-open' && !this.tried && this.trialPending) return false;
    return this.now() >= this.notBefore;
  }

  /** A worker is being spawned (half-open: it is the trial). */
  spawned(): void {
    if (this.state === 'half-open' && !this.tried) this.trialPending = true;
  }

  /** A worker started: the backoff delay starts over (half-open: the trial succeeded). */
  started(): void {
    this.failures = 0;
    this.notBefore = 0;
    this.adopted();
  }

  /**
   * A standby (started earlier) was adopted as a worker: half-open, the
   * trial succeeded; the backoff delay runs on (what it healed was a
   * restart: the next start, its successor standby, waits for it).
   */
  adopted(): void {
    if (this.state === 'half-open') [this.tried, this.trialPending] = [true, false];
  }

  /**
   * A worker failed to start: back off, and count a restart.
   * @param error - why, for the breaker's reason.
   */
  failedStart(error: unknown): void {
    this.failures++;
    this.restarted(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }

  /**
   * A worker had to be replaced (it failed to start, died, or was killed
   * for missing its heartbeat): back off, exponentially in the restarts of
   * the window. Opens the breaker past `maxRestarts` in the window, or at
   * once when half-open.
   * @param why - what happened, for the breaker's reason.
   */
  restarted(why: string): void {
    const state = this.state;
    this.restarts.push(this.now());
    this.prune();
    const { backoffBase, backoffMax, maxRestarts, restartWindow } = this.settings;
    const delay = Math.min(backoffMax, backoffBase * 2 ** (this.restarts.length - 1));
    this.notBefore = this.now() + delay * (0.5 + this.random());
    if (state === 'half-open') {
      this.trip(`a restart while half-open: ${why}`);
    } else if (state === 'closed' && this.restarts.length > maxRestarts) {
      this.trip(
        `${this.restarts.length} restarts within ${restartWindow} ms ` +
          `(maxRestarts ${maxRestarts}); last: ${why}`,
      );
    }
  }

  /** Close the breaker and forget the history. */
  reset(): void {
    this.close();
    this.restarts = [];
    this.failures = 0;
    this.notBefore = 0;
  }

  /** Escalating breakers never go half-open. */
  private canRetry(): boolean {
    return this.settings.onRestartLimit !== 'escalate';
  }

  private trip(reason: string): void {
    const { restartCooldown, restartCooldownMax } = this.settings;
    this.openings++;
    this.reason = reason;
    this.halfOpenSince = 0;
    const cooldown = Math.min(restartCooldownMax, restartCooldown * 2 ** (this.openings - 1));
    this.openUntil = this.now() + cooldown;
  }

  private close(): void {
    this.reason = undefined;
    this.openings = 0;
    this.halfOpenSince = 0;
    this.restarts = [];
  }

  private prune(): void {
    const since = this.now() - this.settings.restartWindow;
    while (this.restarts.length > 0 && (this.restarts[0] ?? 0) < since) this.restarts.shift();
  }
}
