/**
 * The checks of `spawn()` parameters, made where the call is (the arbiter,
 * or the actor that asks the arbiter), so that a bad one fails that call.
 * @module
 */
import { checkParams, TIMEOUT_FORMATS } from '../util/checkParams.js';
import type { SpawnParams } from './types.js';

/**
 * Check `spawn()` parameters: timeouts are durations (milliseconds or
 * `"N unit"`, made milliseconds), `concurrency` is `process` or `thread`.
 *
 * @param params - the parameters.
 * @param name - the actor's name, for the error.
 * @returns a copy, timeouts in milliseconds.
 * @throws ConfigError naming each bad key.
 * @example
 * ```ts
 * checkSpawnParams({ timeout: '3 seconds' }, 'w').timeout; // 3000
 * ```
 */
export function checkSpawnParams(params: SpawnParams, name: string): SpawnParams {
  return checkParams(
    params,
    { ...TIMEOUT_FORMATS, concurrency: ['process', 'thread'] },
    `spawn("${name}")`,
  );
}
