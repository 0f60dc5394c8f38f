/**
 * Reader side of a prestarted spec runner (see `PrestartedRunners`), for
 * the main thread's `LocalWorker`: the connection to the socket it listens
 * on, made as soon as the runner listens (retried until then), one line of
 * JSON per message both ways.
 * What the runner told before the connection (a first file it was given
 * before any worker was up) is in its log: read first, as it grows, until
 * the runner's mark that the rest comes by the socket; to its end if the
 * runner dies first. A runner busy in a test (blocked, or hung) cannot
 * answer a connection, but its log tells the test it is in.
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { lines } from './lines.js';
import { RUNNER_LIVE, runnerLog } from './wire.js';

/** How often a worker tries again to reach a runner still booting, in ms. */
const RETRY_MS = 5;
/** How often a worker reads its runner's log until the runner's mark, in ms. */
const TAIL_MS = 10;
/** One buffer for every log read (reads are synchronous): none allocated per tick. */
const LOG_BUFFER = Buffer.allocUnsafe(65_536);

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
  /** The runner's mark was read: its lines come by the socket only. */
  private live = false;
  /** Lines of the socket read before the mark, until it. */
  private held: string[] = [];
  private log: number | undefined;
  private readonly logLines: (chunk: string) => void;
  private readonly decoder = new StringDecoder('utf8');
  private readonly tail: NodeJS.Timeout;

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
    this.logLines = lines((line) => this.logged(line));
    this.tail = setInterval(() => this.readLog(), TAIL_MS).unref();
    this.readLog();
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
    socket.on(
      'data',
      lines((line) => (this.live ? this.onLine(line) : this.held.push(line))),
    );
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

  /** Read what the runner's log has now (nothing once its mark was read). */
  private readLog(): void {
    if (this.live) return;
    try {
      this.log ??= openSync(runnerLog(this.path), 'r');
    } catch {
      // Nothing written yet.
      return;
    }
    for (let n = readSync(this.log, LOG_BUFFER); n > 0; n = readSync(this.log, LOG_BUFFER)) {
      this.logLines(this.decoder.write(LOG_BUFFER.subarray(0, n)));
      if (this.live) return;
    }
  }

  private logged(line: string): void {
    if (this.live) return;
    if (line !== RUNNER_LIVE) {
      this.onLine(line);
      return;
    }
    this.live = true;
    this.stopTail();
    const held = this.held;
    this.held = [];
    for (const line of held) this.onLine(line);
  }

  private stopTail(): void {
    clearInterval(this.tail);
    if (this.log !== undefined) closeSync(this.log);
    this.log = undefined;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    // The runner is gone: what its log holds is all it told before the socket.
    this.readLog();
    this.stopTail();
    this.onClose();
  }
}
