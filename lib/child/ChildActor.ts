/**
 * The actor of a spawned process or thread: connected to the arbiter's hub,
 * it handshakes, heartbeats, and stops itself when the hub goes away.
 * @module
 */
import { ActorExitedError } from '../errors.js';
import { Actor, type ActorOptions } from '../actor/Actor.js';
import type { ChildData } from './ChildData.js';
import type { HubClient } from '../transport/HubClient.js';
import type { PortClient } from '../transport/PortClient.js';
import type { Envelope } from '../transport/protocol.js';

/** The heartbeat period for a given `timeout`: often enough to be seen alive. */
export function heartbeatPeriod(timeout: number): number {
  return Math.max(50, Math.min(5_000, Math.floor(timeout / 3)));
}

/**
 * A process or thread actor.
 *
 * @example
 * ```ts
 * const actor = new ChildActor(options, { hub, arbiter, maxMessageSize, nonce });
 * await actor.run(); // connected, started, handshake sent
 * ```
 */
export class ChildActor extends Actor {
  /**
   * The spawn parameter (`true` when the arbiter serves metrics) and the
   * command (`true` or `false`, sent by the arbiter when it starts or stops
   * serving them) that turn this actor's latency histogram on or off.
   */
  static readonly RECORD_LATENCY = 'recordLatency';
  /**
   * The hub's socket (a process), or the channel the arbiter gave it (a
   * thread): each loads only its own client (a thread needs no node-ipc).
   */
  private client: HubClient | PortClient | undefined;
  private readonly link: Pick<ChildData, 'hub' | 'maxMessageSize' | 'hubTls' | 'port'>;
  /** A process actor (it may get direct sockets to its peers), not a thread. */
  private readonly process: boolean;
  private readonly arbiterAid: string;
  /** The spawn's secret, sent with the handshake only. */
  private readonly nonce: string | undefined;
  /** How late the last heartbeat ran (ms): event-loop lag. */
  private lag = 0;
  private limitReported = false;

  /**
   * @param options - identity, config, hooks, commands.
   * @param link - from its start data: the hub's socket path, the arbiter's
   *   aid (target of heartbeats), the hub's largest frame, the spawn's nonce,
   *   a thread's port.
   */
  constructor(
    options: ActorOptions,
    link: Pick<ChildData, 'hub' | 'arbiter' | 'maxMessageSize' | 'nonce' | 'hubTls' | 'port'>,
  ) {
    super(options);
    this.mailbox.latency.enabled = options.cfg[ChildActor.RECORD_LATENCY] === true;
    this.command(ChildActor.RECORD_LATENCY, (_a, on: unknown) => {
      this.mailbox.latency.enabled = on === true;
    });
    this.arbiterAid = link.arbiter;
    this.nonce = link.nonce;
    this.link = link;
    this.process = options.concurrency === 'process';
  }

  /** @returns the client of its kind, its module loaded now. */
  private async createClient(): Promise<HubClient | PortClient> {
    const { hub, maxMessageSize, hubTls, port } = this.link;
    if (port !== undefined) {
      const { PortClient } = await import('../transport/PortClient.js');
      return new PortClient(port, maxMessageSize, this.arbiterAid);
    }
    const { HubClient } = await import('../transport/HubClient.js');
    // A process actor also takes direct sockets to its peers from the arbiter.
    const arbiter = this.process ? this.arbiterAid : undefined;
    return new HubClient(this.aid, hub, maxMessageSize, hubTls, arbiter);
  }

  /**
   * Connect, run the `start` hook and send the handshake (`notify`). A start
   * hook that throws is reported in the handshake and the actor stops.
   */
  async run(): Promise<void> {
    this.state = 'starting';
    this.loop.start();
    const client = await this.createClient();
    this.client = client;
    await client.connect();
    this.subscriptions.add(client.onIncoming((env) => this.receive(env)));
    // An actor it talked to directly exited: what waits on it fails now.
    this.subscriptions.add(
      client.peerLost$.subscribe(({ aid, message }) =>
        this.failRequests(new ActorExitedError(message), aid),
      ),
    );
    this.subscriptions.add(client.closed$.subscribe(() => this.arbiterLost()));
    try {
      await this.started();
    } catch (err) {
      this.tell(this.arbiterAid, 'notify', { aid: this.aid, error: err, nonce: this.nonce });
      await this.stop();
      return;
    }
    this.tell(this.arbiterAid, 'notify', { ...this.info(), ready: true, nonce: this.nonce });
    const period = heartbeatPeriod(this.cfg.timeout);
    let last = Date.now();
    this.loop.addPeriodic(() => {
      const now = Date.now();
      this.lag = Math.max(0, now - last - period);
      last = now;
      this.tick();
      this.tell(this.arbiterAid, 'notify', this.info());
    }, period);
  }

  /** @returns the actor's info, with `lag` (how late its last heartbeat ran, in ms). */
  /**
   * The arbiter is gone (its hub closed, or, for a process, its IPC
   * channel): a running actor stops, its `stopping` hook run; one warning,
   * whichever sign comes first.
   */
  arbiterLost(): void {
    if (this.state === 'running' || this.state === 'starting') {
      this.logger.warn('lost the connection to the arbiter: stopping');
      void this.stop();
    }
  }

  override info(): Record<string, unknown> {
    const info: Record<string, unknown> = { ...super.info(), lag: this.lag };
    if (this.maxRequests > 0) info['maxRequests'] = this.maxRequests;
    // For `rxpulsar ps` and the metrics (lib/metrics/): app, messages, latencies.
    if (typeof this.cfg['app'] === 'string') info['app'] = this.cfg['app'];
    const { mailbox } = this;
    const metrics: Record<string, unknown> = {
      in: mailbox.served + mailbox.inFlight,
      out: mailbox.sent,
    };
    // The histogram travels only while recorded (the arbiter serves metrics).
    if (mailbox.latency.enabled) metrics['latency'] = mailbox.latency.snapshot();
    info['metrics'] = metrics;
    return info;
  }

  /** Reaching `maxRequests` is reported at once, so the monitor replaces this actor. */
  protected override onServed(): void {
    if (this.maxRequests > 0 && !this.limitReported && this.served >= this.maxRequests) {
      this.limitReported = true;
      this.tell(this.arbiterAid, 'notify', this.info());
    }
  }

  private get maxRequests(): number {
    return Number(this.cfg['maxRequests'] ?? 0);
  }

  protected override deliver(env: Envelope): void {
    // Nothing is sent before `run()` connects (the start hook runs after).
    this.client?.send(env);
  }

  protected override async close(): Promise<void> {
    // A process announces its stop (state `stopping`), written before its
    // connection closes: the arbiter takes an unannounced close for a death.
    if (this.process && this.client !== undefined) {
      this.tell(this.arbiterAid, 'notify', this.info());
    }
    await this.client?.close();
  }
}
