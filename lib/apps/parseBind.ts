/**
 * `bind` values: `host:port`, `:port`, `port`, `[ipv6]:port`, or a Unix socket path.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';

/** Where a server listens. */
export type BindAddress =
  | {
      /** The host name or address. */
      host: string;
      /** The TCP port (0: any free port). */
      port: number;
    }
  | {
      /** The path of a Unix socket. */
      path: string;
    };

/**
 * Parse a `bind` setting.
 *
 * @param bind - e.g. `127.0.0.1:8060`, `:0`, `8060`, `[::1]:8060`, `/tmp/app.sock`.
 * @returns the host and port, or the socket path.
 * @example
 * ```ts
 * parseBind('127.0.0.1:8060'); // { host: '127.0.0.1', port: 8060 }
 * ```
 */
export function parseBind(bind: string): BindAddress {
  if (bind.includes('/')) return { path: bind };
  if (/^\d+$/.test(bind)) return { host: '0.0.0.0', port: Number(bind) };
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(bind);
  if (match === null) {
    throw new ImproperlyConfiguredError(`bind must be host:port or a socket path, not "${bind}"`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port: Number(match[3]) };
}
