/**
 * Worker side of a prestarted spec runner (see `PrestartedRunners`): the
 * connection to the socket it listens on, made as soon as the runner
 * listens (retried until then), one line of JSON per message both ways.
 * @module
 */
import { connect, type Socket } from 'node:net';
import { lines } from './lines.js';

/** How often a worker tries again to reach a runner still booting, in ms. */
const RETRY_MS = 5;

/**
 * The connection to one prestarted runner.
 *
 * @example
 * ```ts
 * const runner = new RunnerSocket(path, (line) => relay(line), () => closed());
 * runner.write(JSON.stringify({ type: 'run', job }));
 * ```
 */
export class RunnerSocket {
  private socket: Socket | undefined;
  private connected = false;
  private pending: string[] = [];
  private done = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  /**
   * @param path - the runner's socket.
   * @param onLine - each message of the runner.
   * @param onClose - the connection is over (the runner exited, or never listened).
   */
  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
    private readonly onClose: () => void,
  ) {
    this.connect();
  }

  /** @param line - one message (without a newline), sent once connected. */
  write(line: string): void {
    if (this.connected) this.socket?.write(`${line}\n`);
    else if (!this.done) this.pending.push(line);
  }

  /**
   * The runner exited: what it wrote is read to the end (the connection
   * closes by itself), or, not connected yet, trying stops.
   */
  ended(): void {
    if (!this.connected) this.close();
    // A connection that would not close: closed after a grace.
    else setTimeout(() => this.close(), 1000).unref();
  }

  /** Stop: close the connection, or stop trying. `onClose` follows. */
  close(): void {
    if (this.done) return;
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.socket !== undefined) {
      this.socket.destroy();
      return;
    }
    this.finish();
  }

  private connect(): void {
    const socket = connect(this.path);
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.connected = true;
      const pending = this.pending;
      this.pending = [];
      for (const line of pending) socket.write(`${line}\n`);
    });
    socket.on('data', lines(this.onLine));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.connected || this.stopped) {
        this.finish();
        return;
      }
      // Not listening yet: try again shortly (until closed).
      this.retry = setTimeout(() => this.connect(), RETRY_MS);
    });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
  }
}
