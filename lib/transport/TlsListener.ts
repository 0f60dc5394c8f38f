/**
 * The hub's TCP side: a TLS server whose peers must prove the shared secret
 * (see {@link authenticate}) before a single frame is read. A proved actor
 * is handed to the {@link Hub} (same framing, guards and limits as on the
 * Unix socket); a proved node agent to whoever handles agents.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type winston from 'winston';
import { BurstLog } from '../log/BurstLog.js';
import type { Hub } from './Hub.js';
import { authenticate, type Authenticated } from './hubAuth.js';
import { checkTlsHub, parseTlsUrl, type TlsHubOptions } from './tlsHubProblem.js';

/**
 * The TLS listener of a hub.
 *
 * @example
 * ```ts
 * const tls = new TlsListener(hub, options, logger, (socket, auth) => agents.attach(socket, auth));
 * const address = await tls.start(); // '127.0.0.1:7070'
 * ```
 */
export class TlsListener {
  private server: Server | undefined;
  private readonly sockets = new Set<TLSSocket>();
  private readonly rejections: BurstLog;
  private readonly secret: Buffer;

  /**
   * @param hub - where proved actors go.
   * @param options - address, certificate, key, CA, secret file.
   * @param logger - where refused peers are logged.
   * @param onAgent - gets every proved node agent.
   * @param timing - a peer must prove itself within `timeout` ms; agents
   *   are told the `heartbeat` (ms) with the hub's proof.
   * @throws ImproperlyConfiguredError for settings that cannot make a TLS hub.
   */
  constructor(
    private readonly hub: Hub,
    private readonly options: TlsHubOptions,
    logger: winston.Logger,
    private readonly onAgent: (socket: TLSSocket, auth: Authenticated) => void,
    private readonly timing: { timeout: number; heartbeat: number },
  ) {
    this.secret = checkTlsHub(options);
    this.rejections = new BurstLog(logger);
  }

  /** @returns `HOST:PORT` it listens on. */
  start(): Promise<string> {
    const { hubCert, hubKey, hubCa } = this.options;
    const mutual = typeof hubCa === 'string' && hubCa !== '';
    const server = createServer({
      cert: readFileSync(hubCert!),
      key: readFileSync(hubKey!),
      ca: mutual ? readFileSync(hubCa) : undefined,
      requestCert: mutual,
      rejectUnauthorized: mutual,
      handshakeTimeout: this.timing.timeout,
    });
    this.server = server;
    server.on('secureConnection', (socket) => this.accept(socket));
    server.on('tlsClientError', (err, socket) => {
      socket.destroy();
      this.rejections.add('tls', `disconnecting a peer: no TLS handshake (${err.message})`);
    });
    const { host, port } = parseTlsUrl(this.options.hub);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        resolve(`${address.address}:${address.port}`);
      });
    });
  }

  /** Close the server and every connection it accepted. */
  async stop(): Promise<void> {
    this.rejections.flush();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  private accept(socket: TLSSocket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    const { timeout, heartbeat } = this.timing;
    const claim = { heartbeat };
    authenticate(socket, { role: 'hub', secret: this.secret, timeout, claim }).then(
      (auth) => {
        if (socket.destroyed) return;
        if (auth.claim['as'] === 'agent') this.onAgent(socket, auth);
        else this.hub.adopt(socket, auth.rest);
      },
      (err: unknown) => {
        const reason = (err as Error).message;
        this.rejections.add(reason.split(':')[0]!, `disconnecting a TLS peer: ${reason}`);
      },
    );
  }
}
