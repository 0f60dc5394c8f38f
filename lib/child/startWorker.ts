/**
 * The arbiter's half of a spawn: encode what the child needs (its data)
 * and start its process or thread.
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { encode } from '../codec/encode.js';
import { ProcessWorker } from '../concurrency/ProcessWorker.js';
import { ThreadWorker } from '../concurrency/ThreadWorker.js';
import type { WorkerHandle } from '../concurrency/WorkerHandle.js';
import { ImproperlyConfiguredError } from '../errors.js';
import type { ChildData } from './ChildData.js';
import type { SplitParams } from '../actor/splitParams.js';
import { SpareChildren } from './SpareChildren.js';

/**
 * A behaviour module as a URL: a URL is kept, a path is resolved from the
 * current directory.
 *
 * @param module - a path or URL.
 * @returns the module's URL.
 * @example
 * ```ts
 * moduleUrl('../actor/worker.js'); // 'file:///srv/app/worker.js'
 * ```
 */
export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
}

const PROCESS_ENTRY = new URL('./entry/process.cjs', import.meta.url);
const THREAD_ENTRY = new URL('./entry/thread.cjs', import.meta.url);

/**
 * The warm spares of this process: {@link startChild} turns one into the
 * new actor when there is one; pools keep them (`spares` of a monitor).
 *
 * @example
 * ```ts
 * const release = spares.keep('thread');
 * await release();
 * ```
 */
export const spares = new SpareChildren({ process: PROCESS_ENTRY, thread: THREAD_ENTRY });

/** What a child is started with. */
export interface WorkerSpec {
  aid: string;
  name: string;
  concurrency: 'process' | 'thread';
  /** The hub's socket path. */
  hub: string;
  /** The arbiter's aid. */
  arbiter: string;
  /** The `module` parameter: a path (relative to the current directory) or a URL. */
  module: unknown;
  /** Hooks and commands, sent by source. */
  behaviour: Pick<SplitParams, 'hooks' | 'commands'>;
  /** Timeouts and free-form parameters. */
  cfg: Record<string, unknown>;
  /** The hub's largest frame, in characters. */
  maxMessageSize?: number;
  /** The secret its handshake must carry. */
  nonce?: string;
  /** A thread's end of its channel to the arbiter (transferred to it). */
  port?: MessagePort;
}

/**
 * The start data of a spawned actor (what its process or thread receives).
 *
 * @param spec - identity, hub, behaviour and configuration.
 * @returns the data.
 * @throws EncodingError when a parameter cannot travel; ImproperlyConfiguredError for a bad `module`.
 * @example
 * ```ts
 * const data = childData({ aid, name, concurrency: 'process', hub, arbiter, module, behaviour, cfg });
 * ```
 */
export function childData(spec: WorkerSpec): ChildData {
  const { aid, name, concurrency, hub, arbiter, module, behaviour, cfg, maxMessageSize, nonce } =
    spec;
  const data: ChildData = {
    aid,
    name,
    concurrency,
    hub,
    arbiter,
    behaviour: encode({ ...behaviour.hooks, commands: behaviour.commands }),
    cfg: encode(cfg),
    // An app's workers show their app; other actors their name.
    title:
      typeof cfg['app'] === 'string'
        ? `rxpulsar: ${cfg['app']} worker ${aid}`
        : `rxpulsar: ${name} actor ${aid}`,
    nonce,
  };
  if (maxMessageSize !== undefined && Number.isFinite(maxMessageSize)) {
    data.maxMessageSize = maxMessageSize;
  }
  if (module instanceof URL || typeof module === 'string') data.module = moduleUrl(module);
  else if (module !== undefined) {
    throw new ImproperlyConfiguredError(`spawn "${name}": module must be a path or a URL`);
  }
  return data;
}

/**
 * Start a process or thread with its start data: a warm spare of its kind
 * becomes it when there is one (see {@link spares}).
 *
 * @param data - from {@link childData} (here or on a joined node).
 * @param port - a thread's end of its channel to the arbiter (transferred to it).
 * @returns the worker.
 * @example
 * ```ts
 * const worker = startChild(data);
 * ```
 */
export function startChild(data: ChildData, port?: MessagePort): WorkerHandle {
  const { concurrency, name } = data;
  const spare = spares.take(data, port);
  if (spare !== undefined) return spare;
  const options = { entry: concurrency === 'thread' ? THREAD_ENTRY : PROCESS_ENTRY, data, name };
  if (concurrency !== 'thread') return new ProcessWorker(options);
  if (port === undefined) return new ThreadWorker(options);
  data.port = port;
  return new ThreadWorker({ ...options, transferList: [port] });
}

/**
 * Start the process or thread of a spawned actor.
 *
 * @param spec - identity, hub, behaviour and configuration.
 * @returns the worker.
 * @throws EncodingError when a parameter cannot travel; ImproperlyConfiguredError for a bad `module`.
 * @example
 * ```ts
 * const worker = startWorker({ aid, name, concurrency: 'thread', hub, arbiter, module, behaviour, cfg });
 * ```
 */
export function startWorker(spec: WorkerSpec): WorkerHandle {
  return startChild(childData(spec), spec.port);
}
