/**
 * A thread actor's connection to the arbiter: the same surface as
 * {@link HubClient}, over the `MessagePort` the arbiter handed it at spawn
 * (see {@link PortLink}) instead of a Unix socket to its own process.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { Subject } from '../rx.js';
import { PortLink } from './PortLink.js';
import type { Envelope } from './protocol.js';

/**
 * The client side of a thread actor's channel.
 *
 * @example
 * ```ts
 * const client = new PortClient(workerData.port, maxMessageSize);
 * await client.connect();
 * client.incoming$.subscribe(handle);
 * client.send(envelope);
 * ```
 */
export class PortClient {
  /** Envelopes received from the arbiter. */
  readonly incoming$ = new Subject<Envelope>();
  /** Emits once when the channel is gone. */
  readonly closed$ = new Subject<void>();
  private readonly link: PortLink;

  /**
   * @param port - the thread's end of the channel.
   * @param maxMessageSize - the arbiter's largest message: none sent is larger.
   */
  constructor(port: MessagePort, maxMessageSize = Infinity) {
    this.link = new PortLink(
      port,
      (batch) => {
        for (const env of batch) this.incoming$.next(env);
      },
      { maxMessageSize },
    );
    this.link.closed$.subscribe(() => {
      this.closed$.next();
      this.closed$.complete();
      this.incoming$.complete();
    });
  }

  /** The channel is open from the start: resolves at once. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * @param env - posted with this tick's batch.
   * @throws MessageTooLargeError when it is over `maxMessageSize`.
   */
  send(env: Envelope): void {
    this.link.send(env);
  }

  /** Close the channel once what is queued this tick is posted. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      queueMicrotask(() => {
        this.link.close();
        resolve();
      });
    });
  }
}
