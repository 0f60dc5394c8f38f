/**
 * {@link HandlerRegistry}: the IOLoop's table of event handlers on sockets,
 * servers and other EventEmitters.
 * @module
 */
import type { EventEmitter } from 'node:events';
import { Subscription } from '../rx.js';
import { InvalidStateError } from '../errors.js';

/**
 * A handler registered with `IOLoop.addHandler()`: called with the event
 * name, then the event's own arguments.
 *
 * @param event - the name of the event that fired, such as `'data'`.
 * @param args - the arguments the emitter passed.
 * @example
 * ```ts
 * const handler: EventHandler = (event, ...args) => console.log(event, args);
 * ```
 */
export type EventHandler = (event: string, ...args: unknown[]) => void;

interface Entry {
  readonly handler: EventHandler;
  readonly listeners: Map<string, Subscription>;
  readonly subscription: Subscription;
}

/**
 * Attaches one handler per source to a chosen set of its events, and
 * detaches them all on demand. Internal to the IOLoop.
 *
 * @example
 * ```ts
 * const registry = new HandlerRegistry((handler, event, args) => handler(event, ...args));
 * registry.add(socket, onEvent, ['data', 'close']);
 * registry.update(socket, ['close']);
 * registry.remove(socket);
 * ```
 */
export class HandlerRegistry {
  private readonly entries = new Map<EventEmitter, Entry>();

  /**
   * @param dispatch - runs a handler for an event (the IOLoop counts and guards it).
   */
  constructor(
    private readonly dispatch: (handler: EventHandler, event: string, args: unknown[]) => void,
  ) {}

  /** How many sources have a handler. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Listen to `events` of `source` with `handler`.
   *
   * @param source - an EventEmitter (socket, server, child process…).
   * @param handler - called as `handler(event, ...args)`.
   * @param events - the event names to listen to.
   * @returns a Subscription detaching every listener of `source`.
   * @throws InvalidStateError when `source` already has a handler.
   * @example
   * ```ts
   * registry.add(server, (event, socket) => serve(socket), ['connection']);
   * ```
   */
  add(source: EventEmitter, handler: EventHandler, events: readonly string[]): Subscription {
    if (this.entries.has(source)) {
      throw new InvalidStateError('this source already has a handler; use updateHandler()');
    }
    const subscription = new Subscription(() => {
      for (const listener of entry.listeners.values()) listener.unsubscribe();
      entry.listeners.clear();
      this.entries.delete(source);
    });
    const entry: Entry = { handler, listeners: new Map(), subscription };
    this.entries.set(source, entry);
    this.listen(source, entry, events);
    return subscription;
  }

  /**
   * Change the events `source` is listened to: listeners of events no longer
   * wanted are removed, new ones added, kept ones left in place.
   *
   * @param source - a source given to {@link HandlerRegistry.add}.
   * @param events - the new event names.
   * @throws InvalidStateError when `source` has no handler.
   * @example
   * ```ts
   * registry.update(socket, ['close']);
   * ```
   */
  update(source: EventEmitter, events: readonly string[]): void {
    const entry = this.entries.get(source);
    if (entry === undefined) {
      throw new InvalidStateError('this source has no handler; use addHandler()');
    }
    const wanted = new Set(events);
    for (const [event, listener] of entry.listeners) {
      if (!wanted.has(event)) {
        listener.unsubscribe();
        entry.listeners.delete(event);
      }
    }
    this.listen(source, entry, events);
  }

  /**
   * Detach every listener of `source`; a no-op when it has no handler.
   *
   * @param source - the source.
   * @example
   * ```ts
   * registry.remove(socket);
   * ```
   */
  remove(source: EventEmitter): void {
    this.entries.get(source)?.subscription.unsubscribe();
  }

  private listen(source: EventEmitter, entry: Entry, events: readonly string[]): void {
    for (const event of events) {
      if (entry.listeners.has(event)) continue;
      const listener = (...args: unknown[]): void => this.dispatch(entry.handler, event, args);
      source.on(event, listener);
      entry.listeners.set(
        event,
        new Subscription(() => {
          source.off(event, listener);
        }),
      );
    }
  }
}
