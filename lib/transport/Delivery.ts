/**
 * Where a client hands the envelopes it receives: one direct handler (the
 * actor reading it: no Subject on the message path) and an `incoming$`
 * Subject for whoever else observes.
 * @module
 */
import { Subject } from '../rx.js';
import type { Envelope } from './protocol.js';

/**
 * The receiving end of a client ({@link HubClient}, {@link PortClient}).
 *
 * @example
 * ```ts
 * const delivery = new Delivery();
 * const stop = delivery.on((env) => mailbox.receive(env));
 * delivery.emit(envelope); // the handler, then incoming$ if observed
 * stop();
 * ```
 */
export class Delivery {
  /** Envelopes received, for observers other than the handler. */
  readonly incoming$ = new Subject<Envelope>();
  private handler: ((env: Envelope) => void) | undefined;

  /**
   * @param handler - gets each envelope, in order, called directly.
   * @returns stops the handler.
   */
  on(handler: (env: Envelope) => void): () => void {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** @param env - an envelope received: to the handler, then to `incoming$`'s observers. */
  emit(env: Envelope): void {
    const handler = this.handler;
    if (handler !== undefined) {
      try {
        handler(env);
      } catch (err) {
        // The actor's own failure, not the peer's: uncaught, as a subscriber's error was.
        setTimeout(() => {
          throw err;
        });
      }
    }
    if (this.incoming$.observed) this.incoming$.next(env);
  }
}
