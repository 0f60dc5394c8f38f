/**
 * The options of `arbiter()`.
 * @module
 */
import type { Arbiter } from './Arbiter.js';
import { ImproperlyConfiguredError } from '../errors.js';
import { MAX_SPAWNING } from '../monitor/MonitorParams.js';
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
  /**
   * Warm spares kept for `spawn()` outside any pool, by kind (default none;
   * every pool keeps its own, see `spares` of `addMonitor`): a child with
   * rxpulsar loaded, waiting, that the next `spawn()` of its kind becomes in
   * a few milliseconds instead of a process or thread start; its successor
   * starts 50 ms later. Each costs an idle process (or thread) of memory.
   */
  spares?: {
    /** Warm process spares (default 0). */
    process?: number;
    /** Warm thread spares (default 0). */
    thread?: number;
  };
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
  checkSpares(options.spares);
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

/** The options that are the arbiter's own, not an actor's hooks and timeouts. */
const OWN: ReadonlySet<string> = new Set<keyof ArbiterOptions>([
  'name',
  'maxConnections',
  'maxMessageSize',
  'signals',
  'gracefulTimeout',
  'onReload',
  'control',
  'controlName',
  'metrics',
  'hub',
  'hubCert',
  'hubKey',
  'hubCa',
  'hubSecretFile',
  'spares',
]);

/**
 * @param options - `arbiter()` options.
 * @returns the rest: the arbiter's hooks and timeouts as an actor's (see `splitParams`).
 * @example
 * ```ts
 * actorParams({ name: 'a', requestTimeout: 1000 }); // { requestTimeout: 1000 }
 * ```
 */
export function actorParams(options: ArbiterOptions): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (!OWN.has(key)) rest[key] = value;
  return rest;
}

/**
 * `spares`: an object of counts, 0 to `MAX_SPAWNING` (64), by kind: they
 * all start at once, and more would only flood the machine (a spawn takes
 * one, its successor starts 50 ms later).
 */
function checkSpares(spares: unknown): void {
  if (spares === undefined) return;
  if (typeof spares !== 'object' || spares === null || Array.isArray(spares)) {
    throw new ImproperlyConfiguredError('arbiter(): spares must be { process?: n, thread?: n }');
  }
  for (const [kind, n] of Object.entries(spares)) {
    if (kind !== 'process' && kind !== 'thread') {
      throw new ImproperlyConfiguredError(
        `arbiter(): spares.${kind} is no kind of actor (process or thread)`,
      );
    }
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > MAX_SPAWNING)) {
      throw new ImproperlyConfiguredError(
        `arbiter(): spares.${kind} must be an integer from 0 to ${MAX_SPAWNING}, not ${String(n)}`,
      );
    }
  }
}
