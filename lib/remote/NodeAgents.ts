/**
 * The arbiter's side of the node agents (`rxpulsar join`): each proved
 * agent offers `workers` slots to one app's pool; the arbiter places that
 * many of the pool's workers on it ({@link RemoteWorker}s), and the agent
 * starts them as local processes, which connect back to the hub over TLS.
 * Agent and arbiter ping each other every heartbeat; an agent silent for two
 * heartbeats (host down, network cut) or whose connection closes is lost:
 * its workers are declared exited at once, and their pool replaces them.
 * Its slots are remembered under its node id for its fence timeout (plus
 * three heartbeats): if the same agent joins again meanwhile (a cut link
 * mended, see `JoinAgent`), its pool grows by its slots as for any join and,
 * as each of its workers starts, shrinks by one (oldest first), so that it
 * keeps the size it had, with the node's workers back on the node.
 *
 * Messages are JSON lines: to the agent `spawn` (start data), `kill`,
 * `ping`; from it `started` (pid), `exit` (code, signal), `ping`.
 * @module
 */
import type { TLSSocket } from 'node:tls';
import type winston from 'winston';
import type { ChildData } from '../child/ChildData.js';
import { FrameReader } from '../transport/FrameReader.js';
import type { Authenticated } from '../transport/hubAuth.js';
import { RemoteWorker } from './RemoteWorker.js';

/** A connected agent. */
interface Agent {
  socket: TLSSocket;
  /** `HOST:PORT` it came from. */
  address: string;
  app: string;
  slots: number;
  workers: Map<string, RemoteWorker>;
  lastSeen: number;
  timer: NodeJS.Timeout;
  /** Its id, the same when it joins again (none from an older agent). */
  node: string | undefined;
  /** Its fence timeout (ms): how long it tries to join again once lost. */
  fence: number;
  /** Workers its pool still has in excess from an earlier session of the node. */
  repay: number;
}

/** The slots of a lost node, kept for it until `until`. */
interface Owed {
  app: string;
  slots: number;
  until: number;
}

/** What the agents need from the arbiter. */
export interface NodeAgentsOptions {
  logger: winston.Logger;
  /** Ping period (ms); an agent silent for twice as long is lost. */
  heartbeat: number;
  /** Largest line accepted from an agent. */
  maxLineSize: number;
  /** An agent joined `app` with `n` slots: grow the pool; returns why not, if it cannot. */
  onJoin(app: string, n: number): string | undefined;
  /** A worker placed on an agent runs there with this pid. */
  onStarted?(aid: string, pid: number): void;
  /** A node that joined again started a worker: shrink `app`'s pool by one. */
  onRejoined?(app: string): void;
}

/** What `info` shows of an agent. */
export interface AgentInfo {
  address: string;
  /** The node's id (stable across its rejoins). */
  node: string | undefined;
  app: string;
  slots: number;
  workers: { aid: string; pid: number }[];
}

/**
 * The node agents of one arbiter.
 *
 * @example
 * ```ts
 * const agents = new NodeAgents({ logger, heartbeat: 1000, maxLineSize, onJoin });
 * const worker = agents.place('web', childData(spec)) ?? startWorker(spec);
 * ```
 */
export class NodeAgents {
  private readonly agents = new Set<Agent>();
  private readonly owed = new Map<string, Owed>();

  /** @param options - logger, heartbeat, limits, and how to grow a pool. */
  constructor(private readonly options: NodeAgentsOptions) {}

  /** The connected agents. */
  get info(): AgentInfo[] {
    return [...this.agents].map((a) => ({
      address: a.address,
      node: a.node,
      app: a.app,
      slots: a.slots,
      workers: [...a.workers.values()].map((w) => ({ aid: w.aid, pid: w.pid })),
    }));
  }

  /**
   * A proved agent: check its claim, grow its app's pool.
   * @param socket - its connection.
   * @param auth - its claim (`app`, `workers`) and what followed.
   */
  attach(socket: TLSSocket, auth: Authenticated): void {
    const { app, workers, node, fence } = auth.claim;
    const address = `${socket.remoteAddress}:${socket.remotePort}`;
    const refuse = (why: string): void => {
      this.options.logger.warn(`refusing node agent ${address}: ${why}`);
      socket.end(`${JSON.stringify({ op: 'refused', error: why })}\n`);
      setTimeout(() => socket.destroy(), 200).unref();
    };
    if (typeof app !== 'string' || !Number.isInteger(workers) || (workers as number) < 1) {
      refuse('a join needs an app and a count of workers');
      return;
    }
    const { heartbeat } = this.options;
    const agent: Agent = {
      socket,
      address,
      app,
      slots: workers as number,
      workers: new Map(),
      lastSeen: Date.now(),
      node: typeof node === 'string' && node.length <= 100 ? node : undefined,
      fence: typeof fence === 'number' && fence >= 0 ? Math.min(fence, 3_600_000) : 0,
      repay: 0,
      timer: setInterval(() => {
        if (Date.now() - agent.lastSeen > 2 * heartbeat) {
          this.lost(agent, `silent for more than ${2 * heartbeat} ms`);
        } else this.write(agent, { op: 'ping' });
      }, heartbeat),
    };
    this.agents.add(agent);
    this.takeBack(agent);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.lost(agent, 'its connection closed'));
    const reader = new FrameReader('\n');
    socket.on('data', (chunk: string) => {
      agent.lastSeen = Date.now();
      const ok = reader.feed(chunk, (line) => this.receive(agent, line));
      if (ok && reader.pendingSize > this.options.maxLineSize) this.lost(agent, 'a line too long');
    });
    if (auth.rest !== '') socket.emit('data', auth.rest);
    this.options.logger.info(
      `node agent ${address} joined app "${app}" with ${agent.slots} workers`,
    );
    const problem = this.options.onJoin(app, agent.slots);
    if (problem !== undefined) {
      // Nothing placed on it yet: drop it quietly, and tell it why before closing.
      this.agents.delete(agent);
      clearInterval(agent.timer);
      refuse(problem);
    }
  }

  /**
   * A worker of `app`'s pool on an agent with a free slot, if there is one.
   * @param app - the app (or pool) name.
   * @param data - the worker's start data.
   * @returns the worker, or `undefined` to start it locally.
   */
  place(app: string, data: ChildData): RemoteWorker | undefined {
    for (const agent of this.agents) {
      if (agent.app !== app || agent.workers.size >= agent.slots) continue;
      const worker = new RemoteWorker(data.aid, (op) => this.write(agent, op));
      agent.workers.set(data.aid, worker);
      worker.exit$.subscribe(() => agent.workers.delete(data.aid));
      this.write(agent, { op: 'spawn', data });
      return worker;
    }
    return undefined;
  }

  /** Disconnect every agent (the arbiter stops). */
  close(): void {
    for (const agent of [...this.agents]) this.lost(agent, 'the arbiter stops', false);
  }

  private write(agent: Agent, op: Record<string, unknown>): void {
    if (!agent.socket.destroyed) agent.socket.write(`${JSON.stringify(op)}\n`);
  }

  private receive(agent: Agent, line: string): boolean {
    let op: Record<string, unknown>;
    try {
      op = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.lost(agent, 'an unreadable line');
      return false;
    }
    const worker = typeof op['aid'] === 'string' ? agent.workers.get(op['aid']) : undefined;
    if (op['op'] === 'started' && worker !== undefined && typeof op['pid'] === 'number') {
      worker.pid = op['pid'];
      this.options.onStarted?.(worker.aid, worker.pid);
      if (agent.repay > 0) {
        agent.repay--;
        this.options.onRejoined?.(agent.app);
      }
    } else if (op['op'] === 'exit' && worker !== undefined) {
      const exitCode = typeof op['exitCode'] === 'number' ? op['exitCode'] : null;
      const signal = typeof op['signal'] === 'string' ? (op['signal'] as NodeJS.Signals) : null;
      worker.exitedWith({ exitCode, signal });
    }
    return true;
  }

  private lost(agent: Agent, why: string, warn = true): void {
    if (!this.agents.delete(agent)) return;
    clearInterval(agent.timer);
    agent.socket.destroy();
    const n = agent.workers.size;
    if (warn) {
      this.options.logger.warn(
        `lost node agent ${agent.address} of app "${agent.app}" (${why}): ${n} workers gone`,
      );
    }
    if (warn && agent.node !== undefined) {
      const until = Date.now() + agent.fence + 3 * this.options.heartbeat;
      this.owed.set(agent.node, { app: agent.app, slots: agent.slots + agent.repay, until });
    }
    for (const worker of [...agent.workers.values()]) {
      worker.exitedWith({ exitCode: null, signal: 'SIGKILL' });
    }
  }

  /** An agent that joins again: drop its old session, take back its slots. */
  private takeBack(agent: Agent): void {
    const now = Date.now();
    for (const [node, owed] of this.owed) if (owed.until < now) this.owed.delete(node);
    if (agent.node === undefined) return;
    for (const other of this.agents) {
      if (other !== agent && other.node === agent.node) this.lost(other, 'it joined again');
    }
    const owed = this.owed.get(agent.node);
    if (owed === undefined || owed.app !== agent.app) return;
    this.owed.delete(agent.node);
    agent.repay = owed.slots;
    this.options.logger.info(
      `node agent ${agent.address} joined app "${agent.app}" again: ${owed.slots} workers will retire as its own start`,
    );
  }
}
