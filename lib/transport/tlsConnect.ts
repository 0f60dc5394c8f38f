/**
 * The client side of the TLS hub: connect to `tls://HOST:PORT`, check the
 * hub's certificate, prove the shared secret and check the hub's proof.
 * @module
 */
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { ProtocolError, TimeoutError } from '../errors.js';
import { authenticate, type Authenticated } from './hubAuth.js';
import { parseTlsUrl, readSecret } from './tlsHubProblem.js';

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
 * Connect and authenticate.
 *
 * @param url - `tls://HOST:PORT`.
 * @param tls - the secret file, and the CA and client certificate files if any.
 * @param claim - what this peer is (`{ as: 'actor' }`, `{ as: 'agent', app, workers }`).
 * @param timeout - deadline of the connection and the exchange, in ms.
 * @returns the socket, secure and proved, and what the hub sent after its proof.
 * @throws ProtocolError (a peer that is no TLS hub too), or the connection's error.
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
        // OpenSSL's own text (`80…:error:0A00010B:SSL routines:…`) says nothing to a user.
        const { library, reason } = err as { library?: unknown; reason?: unknown };
        reject(
          library === 'SSL routines'
            ? new ProtocolError(
                `${url} is not an rxpulsar hub: the TLS handshake failed (${String(reason)})`,
              )
            : err,
        );
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
