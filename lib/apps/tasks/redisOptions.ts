/**
 * ioredis options from a `redis://[user:password@]host:port/db` URL.
 * @module
 */
import { TaskOptionError } from '../../errors.js';

/** What ioredis (through BullMQ) is given. */
export interface RedisOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/**
 * @param url - `redis://host:port/db` or `rediss://…` (TLS).
 * @returns the connection options.
 * @throws TaskOptionError for anything else.
 * @example
 * ```ts
 * redisOptions('redis://127.0.0.1:6379/2'); // { host: '127.0.0.1', port: 6379, db: 2 }
 * ```
 */
export function redisOptions(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TaskOptionError(`${JSON.stringify(url)} is not a redis://host:port/db URL`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new TaskOptionError(`${JSON.stringify(url)}: the task backend must be a redis:// URL`);
  }
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) throw new TaskOptionError(`${url}: bad database number`);
  const options: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    db,
  };
  if (u.username !== '') options.username = decodeURIComponent(u.username);
  if (u.password !== '') options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return options;
}
