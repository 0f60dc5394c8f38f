/**
 * The arbiter's hub: the Unix socket its process actors connect to and,
 * when `hub` is `tls://HOST:PORT`, the TLS side other machines join.
 * @module
 */
import type winston from 'winston';
import { Subscription } from '../rx.js';
import type { JoinablePool, RemoteHub } from '../remote/RemoteHub.js';
import { Hub, type Incoming } from '../transport/Hub.js';
import { checkTlsHub, type TlsHubOptions } from '../transport/tlsHubProblem.js';
import type { ArbiterOptions } from './ArbiterOptions.js';

/** What the hub needs of its arbiter. */
export interface ArbiterHubContext {
  readonly logger: winston.Logger;
  /** The arbiter's `timeout`: the handshake's (and a remote proof's) deadline. */
  readonly timeout: number;
  /** The pools other machines can join, by name. */
  readonly pools: ReadonlyMap<string, JoinablePool>;
  /** The proxy of a spawned actor, by aid. */
  proxyOf(aid: string): { pid?: number } | undefined;
}

/**
 * The hub of one arbiter, local and remote.
 *
 * @example
 * ```ts
 * const hubs = new ArbiterHub(options, context);
 * subscriptions.add(await hubs.start((batch) => router.route(router.linkOf(batch.socket), batch.envelopes)));
 * await hubs.stop();
 * ```
 */
export class ArbiterHub {
  /** The Unix hub. */
  readonly hub: Hub;
  /** The TLS side, when `hub` is `tls://HOST:PORT`, once started. */
  remote: RemoteHub | undefined;
  /** Its settings, checked: `RemoteHub` (and `node:tls`) is loaded by `start()`. */
  private readonly tls: TlsHubOptions | undefined;

  /**
   * @param options - the arbiter's options (hub limits, TLS hub files).
   * @param context - logger, timeout, pools and proxies.
   * @throws ImproperlyConfiguredError for settings that cannot make a TLS hub.
   */
  constructor(
    options: ArbiterOptions,
    private readonly context: ArbiterHubContext,
  ) {
    const { logger, timeout } = context;
    this.hub = new Hub({
      maxConnections: options.maxConnections ?? 1024,
      maxMessageSize: options.maxMessageSize ?? 64 * 1024 * 1024,
      handshakeTimeout: timeout,
      logger,
    });
    const { hub, hubCert, hubKey, hubCa, hubSecretFile } = options;
    if (typeof hub === 'string' && hub !== '') {
      const tls = { hub, hubCert, hubKey, hubCa, hubSecretFile };
      // Checked when the arbiter is made (its listener, loaded by start(), checks again).
      checkTlsHub(tls);
      this.tls = tls;
    }
  }

  /**
   * Make the runtime folder, listen on TLS (the Unix socket waits for the
   * first process actor: `startChild` calls `hub.listen()`) and pass every batch on.
   * @param route - called with each batch a connection sent.
   * @returns the subscription to the batches.
   */
  async start(route: (batch: Incoming) => void): Promise<Subscription> {
    // Its folder now; it listens (and loads node-ipc) for the first process actor.
    await this.hub.start({ listen: false });
    if (this.tls !== undefined) {
      const { RemoteHub } = await import('../remote/RemoteHub.js');
      this.remote = new RemoteHub(this.hub, this.tls, this.context);
      await this.remote.start();
    }
    return new Subscription(this.hub.onIncoming(route));
  }

  /**
   * Stop listening and close every connection, TLS side first.
   * @returns a promise fired once closed.
   */
  async stop(): Promise<void> {
    await this.remote?.close();
    await this.hub.stop();
  }
}
