/**
 * Everything the arbiter runs for other machines, when `hub` is a
 * `tls://HOST:PORT` address: the {@link TlsListener} (proved actors join
 * the hub) and the {@link NodeAgents} (proved `rxpulsar join` agents get
 * some of a pool's workers).
 * @module
 */
import type winston from 'winston';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import { heartbeatPeriod } from '../child/ChildActor.js';
import type { Hub } from '../transport/Hub.js';
import { NodeAgents, type AgentInfo } from './NodeAgents.js';
import { childData, type WorkerSpec } from '../child/startWorker.js';
import { TlsListener } from '../transport/TlsListener.js';
import type { TlsHubOptions } from '../transport/tlsHubProblem.js';

/** A pool an agent can join (a monitor). */
export interface JoinablePool {
  readonly workers: number;
  resize(n: number, reason?: string): void;
  info(): Record<string, unknown>;
}

/**
 * The arbiter's TLS side.
 *
 * @example
 * ```ts
 * const remote = new RemoteHub(hub, { hub: 'tls://0.0.0.0:7070', ...files }, { logger, timeout, pools });
 * await remote.start();
 * const worker = remote.place('web', spec) ?? startWorker(spec);
 * ```
 */
export class RemoteHub {
  /** `HOST:PORT` it listens on, once started. */
  address: string | undefined;
  private readonly listener: TlsListener;
  private readonly agents: NodeAgents;

  /**
   * @param hub - the arbiter's hub.
   * @param options - `hub` address, certificate, key, CA, secret file.
   * @param context - logger, the arbiter's `timeout` (proof deadline and
   *   heartbeat, as for actors), the pools by name, the proxies by aid.
   * @throws ImproperlyConfiguredError for settings that cannot make a TLS hub.
   */
  constructor(
    hub: Hub,
    options: TlsHubOptions,
    context: {
      logger: winston.Logger;
      timeout: number;
      pools: ReadonlyMap<string, JoinablePool>;
      /** The proxy of a spawned actor (its pid is set when its node reports it). */
      proxyOf?: (aid: string) => { pid?: number } | undefined;
    },
  ) {
    const { logger, timeout, pools, proxyOf } = context;
    this.agents = new NodeAgents({
      logger,
      heartbeat: heartbeatPeriod(timeout),
      maxLineSize: hub.maxMessageSize,
      onJoin: (app, n) => {
        const pool = pools.get(app);
        if (pool === undefined) return `no app "${app}" runs here`;
        if (pool.info()['workerConcurrency'] !== 'process') {
          return `app "${app}" runs threads: only process pools take joined workers`;
        }
        try {
          pool.resize(pool.workers + n, `node joined`);
        } catch (err) {
          // Past MAX_POOL_WORKERS: the node is refused, saying why.
          return err instanceof Error ? err.message : String(err);
        }
        return undefined;
      },
      onRejoined: (app) => {
        const pool = pools.get(app);
        pool?.resize(pool.workers - 1, 'node rejoined');
      },
      onStarted: (aid, pid) => {
        const proxy = proxyOf?.(aid);
        if (proxy !== undefined) proxy.pid = pid;
      },
    });
    this.listener = new TlsListener(
      hub,
      options,
      logger,
      (socket, auth) => this.agents.attach(socket, auth),
      { timeout, heartbeat: heartbeatPeriod(timeout) },
    );
  }

  /** The connected node agents. */
  get nodes(): AgentInfo[] {
    return this.agents.info;
  }

  /** Listen. */
  async start(): Promise<void> {
    this.address = await this.listener.start();
  }

  /**
   * Start a worker on a node that joined its app, if one has a free slot.
   * @param spec - the worker.
   * @returns its handle, or `undefined` (start it here).
   */
  place(spec: WorkerSpec): WorkerHandle | undefined {
    if (spec.concurrency !== 'process') return undefined;
    const app =
      typeof spec.cfg['app'] === 'string' ? spec.cfg['app'] : spec.name.replace(/-worker$/, '');
    return this.agents.place(app, childData(spec));
  }

  /** Disconnect the agents and peers, stop listening. */
  async close(): Promise<void> {
    this.agents.close();
    await this.listener.stop();
  }
}
