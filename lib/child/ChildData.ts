/**
 * What the arbiter hands a child process or thread so that it can become
 * an actor: JSON only (the codec encodes hooks and commands), but for a
 * thread's `port`, transferred with its `workerData`.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { HubTls } from '../transport/tlsConnect.js';

export type { HubTls } from '../transport/tlsConnect.js';

/** The data of a spawned actor. */
export interface ChildData {
  aid: string;
  name: string;
  concurrency: 'process' | 'thread';
  /** The hub's socket path. */
  hub: string;
  /** The arbiter's aid. */
  arbiter: string;
  /** File URL of the behaviour module, if any. */
  module?: string;
  /** Encoded `{ hooks, commands }` given as functions. */
  behaviour: unknown;
  /** Encoded timeouts and free-form parameters. */
  cfg: unknown;
  /** The process title of a process actor (`rxpulsar: <app> worker <aid>`), as `ps` shows it. */
  title?: string;
  /** The hub's largest frame, in characters: the child sends none larger. */
  maxMessageSize?: number;
  /**
   * A random secret of this spawn: the child's handshake must carry it, so
   * that no other peer of the hub can take the actor's aid while it starts.
   */
  nonce?: string;
  /**
   * A thread's end of its channel to the arbiter: it talks over this port
   * instead of the hub's socket (processes have none).
   */
  port?: MessagePort;
  /** For a hub at `tls://HOST:PORT` (a joined node): the secret and CA files there. */
  hubTls?: HubTls;
}
