/**
 * Checks of an app's configuration that no single setting's format can
 * make: values that are well formed but cannot work, alone or together
 * (`period` 0, `minWorkers` above `maxWorkers`, a server on threads). Run
 * after the configuration is read and before anything starts; a problem
 * is a configuration error (exit code 2 under the CLI).
 * @module
 */
import { ConfigError, type ConfigProblem } from '../errors.js';
import { prefixKey } from '../config/names.js';
import { tlsHubProblem } from '../transport/tlsHubProblem.js';

/** The smallest `maxMessageSize` that works: a handshake is up to 64 KiB (the hub's bound before it). */
export const MIN_MESSAGE_SIZE = 64 * 1024;

/** A value that cannot work, as an app's `configProblems()` hook reports it. */
export interface ValueProblem {
  /** The setting's key (the app's own, unprefixed). */
  key: string;
  /** What was expected, for a person. */
  expected: string;
}

/**
 * The problems every app's configuration is checked for.
 *
 * @param cfg - the app's values (durations in ms).
 * @returns the problems found (none: `[]`).
 * @example
 * ```ts
 * standardProblems({ period: 0 }); // [{ key: 'period', expected: 'must be a duration above 0' }]
 * ```
 */
export function standardProblems(cfg: Record<string, unknown>): ValueProblem[] {
  const problems: ValueProblem[] = [];
  if (cfg['period'] === 0) problems.push({ key: 'period', expected: 'must be a duration above 0' });
  const size = cfg['maxMessageSize'];
  if (typeof size === 'number' && size < MIN_MESSAGE_SIZE) {
    problems.push({
      key: 'maxMessageSize',
      expected: `must be at least ${MIN_MESSAGE_SIZE} (an actor's handshake must fit)`,
    });
  }
  const hub = cfg['hub'];
  if (typeof hub === 'string' && hub !== '') {
    const problem = tlsHubProblem({
      hub,
      hubCert: cfg['hubCert'] as string | null,
      hubKey: cfg['hubKey'] as string | null,
      hubSecretFile: cfg['hubSecretFile'] as string | null,
    });
    if (problem !== undefined) problems.push({ key: 'hub', expected: problem });
  }
  const { minWorkers, maxWorkers } = cfg;
  if (typeof minWorkers === 'number' && typeof maxWorkers === 'number' && minWorkers > maxWorkers) {
    problems.push({
      key: 'minWorkers',
      expected: `must be at most maxWorkers (${maxWorkers})`,
    });
  }
  return problems;
}

/**
 * A ConfigError for the problems found, or `undefined` if there is none.
 *
 * @param problems - what the checks found.
 * @param cfg - the values they are about.
 * @param prefix - the app's prefix in a `MultiApp` (keys are shown prefixed).
 * @returns the error to throw, if any.
 * @example
 * ```ts
 * const err = configErrorOf(standardProblems(cfg), cfg);
 * if (err !== undefined) throw err;
 * ```
 */
export function configErrorOf(
  problems: readonly ValueProblem[],
  cfg: Record<string, unknown>,
  prefix = '',
): ConfigError | undefined {
  if (problems.length === 0) return undefined;
  const full: ConfigProblem[] = problems.map(({ key, expected }) => ({
    key: prefix === '' ? key : prefixKey(prefix, key),
    value: cfg[key],
    source: 'params',
    origin: 'as configured',
    expected,
  }));
  return new ConfigError(full);
}
