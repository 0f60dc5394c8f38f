/**
 * The client side of the TLS hub: connect to `tls://HOST:PORT`, check the
 * hub's certificate, prove the shared secret and check the hub's proof.
 * @module
 */
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { ImproperlyConfiguredError, TimeoutError } from '../errors.js';
import { authenticate, type Authenticated } from './hubAuth.js';

/** How a worker on a joined node reaches the hub over TLS. */
export interface HubTls {
  /** File holding the shared secret. */
  secretFile: string;
  /** CA file that signed the hub's certificate (default: the system's). */
  ca?: string;
  /** Client certificate and key files, for a hub that asks for them (mutual TLS). */
  cert?: string;
  key?: string;
}

/**
 * Host and port of a `tls://HOST:PORT` address.
 *
 * @param url - the address.
 * @returns its host and port.
 * @throws ImproperlyConfiguredError when it is not one.
 * @example
 * ```ts
 * parseTlsUrl('tls://10.0.0.1:7070'); // { host: '10.0.0.1', port: 7070 }
 * ```
 */
export function parseTlsUrl(url: string): { host: string; port: number } {
  const match = /^tls:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !(port >= 0 && port < 65536)) {
    throw new ImproperlyConfiguredError(
      `a hub address is tls://HOST:PORT, not ${JSON.stringify(url)}`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Read a shared secret file: its content, surrounding blanks trimmed.
 *
 * @param file - the path.
 * @returns the secret.
 * @throws ImproperlyConfiguredError when it cannot be read or is shorter than 16 bytes.
 * @example
 * ```ts
 * const secret = readSecret('/etc/rxpulsar/secret');
 * ```
 */
export function readSecret(file: string): Buffer {
  let secret: Buffer;
  try {
    secret = Buffer.from(readFileSync(file, 'utf8').trim());
  } catch (err) {
    throw new ImproperlyConfiguredError(`cannot read the hub secret file ${file}: ${String(err)}`);
  }
  if (secret.length < 16) {
    throw new ImproperlyConfiguredError(`the hub secret in ${file} is shorter than 16 bytes`);
  }
  return secret;
}

/**
 * Connect and authenticate.
 *
 * @param url - `tls://HOST:PORT`.
 * @param tls - the secret file, and the CA and client certificate files if any.
 * @param claim - what this peer is (`{ as: 'actor' }`, `{ as: 'agent', app, workers }`).
 * @param timeout - deadline of the connection and the exchange, in ms.
 * @returns the socket, secure and proved, and what the hub sent after its proof.
 * @throws ProtocolError, or the connection's error.
 * @example
 * ```ts
 * const { socket } = await connectTls('tls://hub:7070', { secretFile }, { as: 'actor' }, 5000);
 * ```
 */
export async function connectTls(
  url: string,
  tls: HubTls,
  claim: Record<string, unknown>,
  timeout: number,
): Promise<Authenticated & { socket: TLSSocket }> {
  const { host, port } = parseTlsUrl(url);
  const secret = readSecret(tls.secretFile);
  const socket = connect({
    host,
    port,
    servername: /^[\d.]+$|:/.test(host) ? undefined : host,
    ca: tls.ca === undefined ? undefined : readFileSync(tls.ca),
    cert: tls.cert === undefined ? undefined : readFileSync(tls.cert),
    key: tls.key === undefined ? undefined : readFileSync(tls.key),
  });
  socket.setNoDelay(true);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(
        () => onError(new TimeoutError(`no TLS handshake within ${timeout} ms`)),
        timeout,
      );
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve();
      });
    });
    const done = await authenticate(socket, { role: 'peer', secret, timeout, claim });
    return { ...done, socket };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
