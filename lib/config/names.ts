/**
 * How a setting's camelCase key maps to its other names: kebab-case flags
 * (`maxRequests` → `--max-requests`), upper snake case environment
 * variables (`RXPULSAR_MAX_REQUESTS`), and prefixed keys for `MultiApp`
 * (`rpc` + `workers` → `rpcWorkers`).
 * @module
 */

/** The prefix of every rxpulsar environment variable. */
export const ENV_PREFIX = 'RXPULSAR_';

/**
 * The words of a camelCase key, lower case.
 *
 * @param key - a camelCase key such as `maxRequests`.
 * @returns its words: `['max', 'requests']`.
 */
function words(key: string): string[] {
  return key
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(' ');
}

/**
 * The command-line flag of a key.
 *
 * @param key - a camelCase key.
 * @returns the flag: `flagOf('maxRequests')` is `--max-requests`.
 * @example
 * ```ts
 * flagOf('logLevel'); // '--log-level'
 * ```
 */
export function flagOf(key: string): string {
  return `--${words(key).join('-')}`;
}

/**
 * The environment variable of a key.
 *
 * @param key - a camelCase key.
 * @returns the variable: `envOf('maxRequests')` is `RXPULSAR_MAX_REQUESTS`.
 * @example
 * ```ts
 * envOf('rpcWorkers'); // 'RXPULSAR_RPC_WORKERS'
 * ```
 */
export function envOf(key: string): string {
  return ENV_PREFIX + words(key).join('_').toUpperCase();
}

/**
 * The camelCase key of a kebab-case flag name (without its dashes).
 *
 * @param name - such as `max-requests`.
 * @returns such as `maxRequests`.
 * @example
 * ```ts
 * keyOfFlag('log-level'); // 'logLevel'
 * ```
 */
export function keyOfFlag(name: string): string {
  return name.toLowerCase().replace(/-+([a-z\d])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A key under an app prefix, as `MultiApp` names an app's settings.
 *
 * @param prefix - the app's prefix, such as `rpc` (camelCase if several words).
 * @param key - the app's own key, such as `workers`.
 * @returns `rpcWorkers` (so the flag is `--rpc-workers`, the variable `RXPULSAR_RPC_WORKERS`).
 * @example
 * ```ts
 * prefixKey('rpc', 'maxRequests'); // 'rpcMaxRequests'
 * ```
 */
export function prefixKey(prefix: string, key: string): string {
  return prefix + key.charAt(0).toUpperCase() + key.slice(1);
}
