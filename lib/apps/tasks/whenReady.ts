/**
 * Waiting for an ioredis connection that has no offline queue.
 * @module
 */
import type { Redis } from 'ioredis';

/**
 * Resolves once an ioredis connection is ready; rejects with its error if
 * it fails or ends first. A connection made with `enableOfflineQueue: false`
 * refuses commands until then.
 *
 * @param redis - the connection.
 * @returns fired once it is ready.
 * @example
 * ```ts
 * await whenReady(new Redis(url, { enableOfflineQueue: false }));
 * ```
 */
export function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      redis.off('ready', settle).off('error', settle).off('end', ended);
      if (err === undefined) resolve();
      else reject(err);
    };
    const ended = (): void => settle(new Error('the connection closed'));
    redis.once('ready', settle).once('error', settle).once('end', ended);
  });
}
