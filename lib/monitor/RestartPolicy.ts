/**
 * When a pool may respawn: exponential backoff with jitter after failed
 * starts, and a circuit breaker that stops respawning after too many
 * restarts in a window, instead of spinning.
 * @module
 */

/** Settings of the restart policy. */
export interface RestartSettings {
  /** Restarts allowed within `restartWindow` before the breaker opens (default 10). */
  maxRestarts: number;
  /** The window, in ms (default 60 s). */
  restartWindow: number;
  /** First backoff delay after a failed start, in ms (default 100). */
  backoffBase: number;
  /** Longest backoff delay, in ms (default 10 s). */
  backoffMax: number;
}

/** The defaults of {@link RestartSettings}. */
export const DEFAULT_RESTART: RestartSettings = {
  maxRestarts: 10,
  restartWindow: 60_000,
  backoffBase: 100,
  backoffMax: 10_000,
};

/**
 * Tracks failures and restarts of one pool.
 *
 * @example
 * ```ts
 * const policy = new RestartPolicy(DEFAULT_RESTART);
 * policy.failedStart(new Error('boom'));
 * policy.canSpawn(); // false until the backoff delay has passed
 * ```
 */
export class RestartPolicy {
  /** Restarts in the current window, as timestamps. */
  private restarts: number[] = [];
  /** Failed starts in a row. */
  private failures = 0;
  private notBefore = 0;
  /** Why the breaker opened, when it is open. */
  reason: string | undefined;

  /**
   * @param settings - limits and delays.
   * @param now - the clock (tests may pass a fake one).
   * @param random - the jitter source, in [0, 1).
   */
  constructor(
    public settings: RestartSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** `true` when the breaker is open: no more respawns until `reset()`. */
  get open(): boolean {
    return this.reason !== undefined;
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

  /** When the next spawn is allowed (ms since the epoch). */
  get nextSpawnAt(): number {
    return this.notBefore;
  }

  /** @returns `true` when the breaker is closed and no backoff delay runs. */
  canSpawn(): boolean {
    return !this.open && this.now() >= this.notBefore;
  }

  /** A worker started: the backoff starts over. */
  started(): void {
    this.failures = 0;
    this.notBefore = 0;
  }

  /**
   * A worker failed to start: back off, and count a restart.
   * @param error - why, for the breaker's reason.
   */
  failedStart(error: unknown): void {
    this.failures++;
    const { backoffBase, backoffMax } = this.settings;
    const delay = Math.min(backoffMax, backoffBase * 2 ** (this.failures - 1));
    this.notBefore = this.now() + delay * (0.5 + this.random());
    this.restarted(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }

  /**
   * A worker had to be replaced (it died, or was killed for missing its
   * heartbeat). Opens the breaker past `maxRestarts` in the window.
   * @param why - what happened, for the breaker's reason.
   */
  restarted(why: string): void {
    this.restarts.push(this.now());
    this.prune();
    if (this.restarts.length > this.settings.maxRestarts && !this.open) {
      this.reason =
        `${this.restarts.length} restarts within ${this.settings.restartWindow} ms ` +
        `(maxRestarts ${this.settings.maxRestarts}); last: ${why}`;
    }
  }

  /** Close the breaker and forget the history. */
  reset(): void {
    this.reason = undefined;
    this.restarts = [];
    this.failures = 0;
    this.notBefore = 0;
  }

  private prune(): void {
    const since = this.now() - this.settings.restartWindow;
    while (this.restarts.length > 0 && (this.restarts[0] ?? 0) < since) this.restarts.shift();
  }
}
