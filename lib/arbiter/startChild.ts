/**
 * The arbiter's half of a spawn: from checked parameters to a running
 * process or thread (on this host, or on a joined node) and the entry that
 * tracks it until its handshake. The other half, in the child, is
 * `runChild`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import type winston from 'winston';
import { ActorProxy, type ActorProxyDeferred } from '../actor/ActorProxy.js';
import { CancelledError } from '../errors.js';
import { splitParams } from '../actor/splitParams.js';
import { startWorker, type WorkerSpec } from '../child/startWorker.js';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import type { RemoteHub } from '../remote/RemoteHub.js';
import type { Hub } from '../transport/Hub.js';
import { PortLink } from '../transport/PortLink.js';
import type { Envelope } from '../transport/protocol.js';
import type { Child } from './Router.js';

/** What a spawn needs of its arbiter. */
export interface SpawnContext {
  /** The arbiter's aid (the child's parent). */
  readonly arbiter: string;
  /** The arbiter's timeouts, inherited by the child unless given its own. */
  readonly cfg: { timeout: number; requestTimeout: number; exitTimeout: number };
  readonly hub: Hub;
  /** The TLS side, which may place the worker on a joined node. */
  readonly remote?: RemoteHub;
  readonly logger: winston.Logger;
  /** Route a batch a thread sent on its port. */
  route(port: PortLink, batch: Envelope[]): void;
  /** Stop the child gracefully (its proxy's `stop()`). */
  stop(aid: string): Promise<unknown>;
  /** Throw when the arbiter cannot spawn this actor now (stopping, full, a taken aid). */
  admit(aid: string, name: string): void;
  /** Put a started child in the table. */
  add(started: StartedChild): void;
  /**
   * Hold the aid and a connection of a spawn waiting for the hub to listen
   * (a stop meanwhile fails it); the function returned releases them.
   */
  reserve(deferred: ActorProxyDeferred): () => void;
}

/** A started child: the table's entry, its handshake deadline and a thread's port. */
export interface StartedChild {
  child: Child;
  /** The handshake's deadline (ms): the child's `timeout`. */
  timeout: number;
  port?: PortLink;
}

/**
 * Start a spawn and put it in the table: at once for a thread, or when the
 * hub listens already. The first process actors wait for the hub to listen
 * (it does from the first one on), holding their aid and a connection from
 * now on (`context.reserve`), so that the spawns issued meanwhile are
 * admitted in their order: a later one with the same aid, or past
 * `maxConnections`, is refused, not the waiting one. A listen that fails
 * fails the spawn with its `ListenError` and forks nothing (the child could
 * not connect), and the next process spawn tries again. A spawn cancelled or
 * stopped meanwhile starts nothing.
 *
 * @param context - the arbiter's side of it.
 * @param deferred - the spawn's Deferred: failed with what starting throws.
 * @param params - checked spawn parameters, after the `onParams` hook.
 * @param standby - a pool's standby (see `ChildTable.adopt`).
 * @example
 * ```ts
 * launchChild(context, deferred, params, false);
 * ```
 */
export function launchChild(
  context: SpawnContext,
  deferred: ActorProxyDeferred,
  params: Record<string, unknown>,
  standby: boolean,
): void {
  // Cancelling the spawn kills the actor once started. Added now, before the
  // caller's own handlers: added after them (once the hub listens), its
  // rethrow would end the chain as an unhandled error the caller handled.
  let kill: (() => void) | undefined;
  deferred.addErrback((err: unknown) => {
    if (err instanceof CancelledError) kill?.();
    throw err;
  });
  const start = (): void => {
    const started = startChild(context, deferred, params);
    const { child } = started;
    if (standby) child.standby = true;
    kill = () => child.proxy.worker?.kill('SIGKILL');
    context.add(started);
  };
  if (params['concurrency'] === 'thread' || context.hub.isListening) {
    start();
    return;
  }
  const release = context.reserve(deferred);
  deferred.addErrback((err: unknown) => {
    release();
    throw err;
  });
  context.hub
    .listen()
    .then(() => {
      release();
      if (deferred.called) return;
      context.admit(deferred.aid, deferred.name); // it may be stopping by now
      start();
    })
    .catch((err: unknown) => {
      if (!deferred.called) deferred.errback(err);
    });
}

/**
 * Start the worker of a spawn.
 *
 * @param context - the arbiter's side of it.
 * @param deferred - the spawn's Deferred (its aid and name).
 * @param params - checked spawn parameters, after the `onParams` hook.
 * @returns the child's entry, not yet in the table.
 * @throws what starting the worker throws (the port is closed first).
 * @example
 * ```ts
 * const { child, timeout, port } = startChild(context, deferred, params);
 * table.add(child, timeout, port);
 * ```
 */
export function startChild(
  context: SpawnContext,
  deferred: ActorProxyDeferred,
  params: Record<string, unknown>,
): StartedChild {
  const { aid, name } = deferred;
  const concurrency = params['concurrency'] === 'thread' ? 'thread' : 'process';
  const { hooks, commands, timeouts, free } = splitParams(params);
  const { timeout, requestTimeout, exitTimeout } = context.cfg;
  const cfg = { timeout, requestTimeout, exitTimeout, ...timeouts, ...free };
  const { hub } = context;
  hub.ensureListening();
  const nonce = randomBytes(18).toString('base64url');
  // A thread actor talks over a channel of its own (see PortLink).
  const channel = concurrency === 'thread' ? new MessageChannel() : undefined;
  let port: PortLink | undefined;
  if (channel !== undefined) {
    port = new PortLink(channel.port1, (batch) => context.route(port!, batch), {
      maxMessageSize: hub.maxMessageSize,
      onReject: (reason) =>
        context.logger.warn(`disconnecting a peer: ${reason} (thread actor ${aid})`),
    });
  }
  let worker: WorkerHandle;
  try {
    const spec: WorkerSpec = {
      aid,
      name,
      concurrency,
      hub: hub.path ?? '',
      arbiter: context.arbiter,
      module: params['module'],
      behaviour: { hooks, commands },
      cfg,
      maxMessageSize: hub.maxMessageSize,
      nonce,
      port: channel?.port2,
    };
    worker = context.remote?.place(spec) ?? startWorker(spec);
  } catch (err) {
    port?.close();
    throw err;
  }
  const proxy = new ActorProxy(aid, name, concurrency);
  proxy.worker = worker;
  proxy.pid = worker.pid;
  proxy.threadId = worker.threadId;
  proxy.stopper = () => context.stop(aid).then(() => undefined);
  const where = worker.kind === 'process' ? `, pid ${worker.pid}` : '';
  context.logger.debug(`spawned ${concurrency} actor "${name}" (${aid}${where})`);
  const child: Child = {
    proxy,
    deferred,
    forwarded: new Map(),
    exitTimeout: cfg.exitTimeout,
    ready: false,
    nonce,
  };
  return { child, timeout: cfg.timeout, port };
}
