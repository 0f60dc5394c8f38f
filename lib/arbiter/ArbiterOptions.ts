/**
 * The options of `arbiter()`.
 * @module
 */
import type { Arbiter } from './Arbiter.js';
import { checkParams, TIMEOUT_FORMATS } from '../util/checkParams.js';
import type { ActorHooks, Duration, TimeoutParams } from '../actor/types.js';

/** Options of `arbiter()`. */
export interface ArbiterOptions extends TimeoutParams, ActorHooks<Arbiter> {
  /** The arbiter's name (default `arbiter`). */
  name?: string;
  /** Maximum actor connections to the hub (default 1024). */
  maxConnections?: number;
  /** Largest frame accepted by the hub, in characters (default 64 MiB). */
  maxMessageSize?: number;
  /**
   * Handle SIGTERM/SIGINT (graceful stop, exit 0), SIGQUIT (fast stop),
   * SIGHUP (reload), SIGTTIN/SIGTTOU (one worker more/less on every
   * monitor). Default `true`.
   */
  signals?: boolean;
  /** How long a graceful stop on SIGTERM/SIGINT may take before it turns fast (default 30 s). */
  gracefulTimeout?: Duration;
  /** Called on `reload()` (SIGHUP) before workers are replaced; may return new monitor params by name. */
  onReload?: (arbiter: Arbiter) => unknown;
  /** Listen on a control socket for `rxpulsar ps`, `scale`, `shell`… (default `true`). */
  control?: boolean;
  /** The name `rxpulsar ps --name` knows this arbiter by (default: its first app's name). */
  controlName?: string;
  /** `HOST:PORT`: serve Prometheus metrics at `/metrics` there (default: off). */
  metrics?: string | null;
  /** `tls://HOST:PORT`: the hub also listens there for other machines (needs the next four). */
  hub?: string | null;
  /** PEM certificate file of the TLS hub. */
  hubCert?: string | null;
  /** PEM key file of the TLS hub. */
  hubKey?: string | null;
  /** PEM CA file: peers of the TLS hub must show a certificate it signed (mutual TLS). */
  hubCa?: string | null;
  /** File holding the secret peers of the TLS hub must prove (at least 16 bytes). */
  hubSecretFile?: string | null;
}

/**
 * Check `arbiter()` options as the config files would: durations
 * (milliseconds or `"N unit"`, made milliseconds) and counts.
 *
 * @param options - what `arbiter()` received.
 * @returns a copy, durations in milliseconds.
 * @throws ConfigError naming each bad key.
 * @example
 * ```ts
 * checkArbiterOptions({ timeout: '10 s' }).timeout; // 10000
 * ```
 */
export function checkArbiterOptions(options: ArbiterOptions): ArbiterOptions {
  return checkParams(
    options,
    {
      ...TIMEOUT_FORMATS,
      gracefulTimeout: 'duration',
      maxConnections: 'count',
      maxMessageSize: 'count',
    },
    'arbiter()',
  );
}
