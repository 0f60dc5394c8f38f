/**
 * The server end of an arbiter's control socket: a Unix socket (mode 0600)
 * speaking newline-delimited JSON. Each request line is an object with an
 * `op` and an `id`; each answer is one line `{ id, ok: true, value }` or
 * `{ id, ok: false, error: { code, message } }`. A line longer than
 * `maxLineLength`, bad JSON or an unknown `op` gets an error answer; a
 * handler that throws gets an error answer; nothing here stops the arbiter.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { MessageTooLargeError, ProtocolError, RxPulsarError } from '../errors.js';

/** A request, as parsed from one line. */
export interface ControlRequest {
  id: number | string | null;
  op: string;
  [key: string]: unknown;
}

/** Answers one operation; may return a promise. `connection` identifies the client. */
export type ControlHandler = (request: ControlRequest, connection: Socket) => unknown;

/** Largest request line accepted by default, in characters (1 MiB). */
export const MAX_CONTROL_LINE = 1024 * 1024;

/**
 * A control socket server.
 *
 * @example
 * ```ts
 * const server = new ControlServer({ ping: () => 'pong' });
 * await server.listen('/run/user/1000/rxpulsar-1-x/control.sock');
 * await server.close();
 * ```
 */
export class ControlServer {
  private server: Server;
  /** Servers replaced by {@link ControlServer.ensureListening}, closed with this one. */
  private readonly retired = new Set<Server>();
  private readonly sockets = new Set<Socket>();
  private path: string | undefined;

  /**
   * @param handlers - one handler per operation.
   * @param maxLineLength - the largest request line, in characters.
   */
  constructor(
    private readonly handlers: Record<string, ControlHandler>,
    private readonly maxLineLength = MAX_CONTROL_LINE,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /**
   * Listen on a Unix socket, readable and writable by this user only.
   * @param path - the socket path.
   * @returns a promise fired once listening.
   */
  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        chmodSync(path, 0o600);
        this.path = path;
        resolve();
      });
    });
  }

  /**
   * Listen again when the socket file was deleted under the server (a
   * cleaner of the temp folder); connected clients are not affected.
   * @returns a promise of `true` when it had to listen again.
   */
  async ensureListening(): Promise<boolean> {
    const path = this.path;
    if (path === undefined || existsSync(path)) return false;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.retired.add(this.server);
    this.server.close();
    this.server = createServer((socket) => this.accept(socket));
    await this.listen(path);
    return true;
  }

  /** Close every connection and the server, and remove the socket file. */
  async close(): Promise<void> {
    // Forgotten first: closing removes the socket file, and an
    // ensureListening() while the close is on its way must not listen again.
    const path = this.path;
    this.path = undefined;
    for (const socket of this.sockets) socket.destroy();
    for (const old of this.retired) if (old.listening) old.close();
    this.retired.clear();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
    if (path !== undefined) rmSync(path, { force: true });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== '') this.handle(line, socket);
      }
      if (buffer.length > this.maxLineLength) {
        const error = new MessageTooLargeError(
          `a control request line is limited to ${this.maxLineLength} characters`,
        );
        this.answer(socket, null, false, error);
        socket.end();
        buffer = '';
      }
    });
  }

  private handle(line: string, socket: Socket): void {
    let request: ControlRequest;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ProtocolError('a control request is a JSON object with an "op"');
      }
      request = parsed as ControlRequest;
    } catch (err) {
      const error =
        err instanceof RxPulsarError ? err : new ProtocolError(`bad JSON: ${String(err)}`);
      this.answer(socket, null, false, error);
      return;
    }
    const id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
    const handler = typeof request.op === 'string' ? this.handlers[request.op] : undefined;
    if (handler === undefined || !Object.hasOwn(this.handlers, request.op)) {
      const ops = Object.keys(this.handlers).join(', ');
      this.answer(
        socket,
        id,
        false,
        new ProtocolError(`unknown op "${String(request.op)}" (one of ${ops})`),
      );
      return;
    }
    // A handler that throws at once is answered like one that rejects.
    const outcome = Promise.resolve().then(() => handler(request, socket));
    outcome.then(
      (value) => this.answer(socket, id, true, value),
      (err: unknown) => this.answer(socket, id, false, err),
    );
  }

  private answer(socket: Socket, id: ControlRequest['id'], ok: boolean, value: unknown): void {
    if (socket.destroyed) return;
    let line: string;
    if (ok) {
      try {
        line = JSON.stringify({ id, ok, value: value ?? null });
      } catch (err) {
        return this.answer(socket, id, false, err);
      }
    } else {
      const err = value instanceof Error ? value : new Error(String(value));
      const code = (err as { code?: unknown }).code;
      line = JSON.stringify({
        id,
        ok,
        error: { code: typeof code === 'string' ? code : 'RXP_ERR_GENERIC', message: err.message },
      });
    }
    socket.write(`${line}\n`);
  }
}
