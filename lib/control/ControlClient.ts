/**
 * The client end of an arbiter's control socket: newline-delimited JSON
 * requests, each answered by one line with the same `id`.
 * @module
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { ActorExitedError, errorRegistry, RxPulsarError } from '../errors.js';

interface Waiting {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * A connection to a running arbiter's control socket.
 *
 * @example
 * ```ts
 * const client = await ControlClient.connect(findArbiter().socket);
 * const rows = await client.request('ps');
 * client.close();
 * ```
 */
export class ControlClient {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closedError: Error | undefined;
  private readonly closeListeners: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => this.reply(line));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      this.fail(new ActorExitedError('the arbiter closed the control connection'));
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  /**
   * Connect to a control socket.
   * @param path - the socket path (from the registry).
   * @returns the client, connected.
   */
  static connect(path: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new ControlClient(socket));
      });
    });
  }

  /**
   * Send a request and wait for its answer.
   *
   * @param op - the operation (`ps`, `info`, `scale`, `reload`, `stop`, `eval`, `complete`, `cancel`).
   * @param args - its arguments.
   * @returns the `value` of the answer; an error answer rejects with the arbiter's error class
   *   (by its code: `ImproperlyConfiguredError` for bad usage, `ActorNotFoundError` for an unknown app or aid…).
   */
  request(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...args, id, op })}\n`);
    });
  }

  /** The id the next request will carry (to cancel it). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * Call `listener` once the connection closes (the arbiter stopped, or `close()`).
   * @param listener - called once.
   */
  onClose(listener: () => void): void {
    if (this.socket.destroyed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  /** Close the connection; requests still waiting fail. */
  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private reply(line: string): void {
    let msg: {
      id?: number;
      ok?: boolean;
      value?: unknown;
      error?: { message?: string; code?: string };
    };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    const waiting = msg.id === undefined ? undefined : this.waiting.get(msg.id);
    if (waiting === undefined) return;
    this.waiting.delete(msg.id!);
    if (msg.ok === true) waiting.resolve(msg.value);
    else {
      const { message = 'the arbiter failed', code = 'RXP_ERR_GENERIC' } = msg.error ?? {};
      const ErrorClass = errorRegistry[code] ?? RxPulsarError;
      waiting.reject(new ErrorClass(message));
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
