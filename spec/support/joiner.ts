/**
 * `rxpulsar join` as a child process for specs, on this host or on another
 * one ({@link TwoHosts}), with what it printed and its exit.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TwoHosts } from './netns.js';
import type { TlsFiles } from './tlsFiles.js';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

/** A joiner process. */
export interface Joiner {
  child: ChildProcess;
  /** What it wrote on stdout and stderr (its log at `info`). */
  output(): string;
  /** Its exit code (`null` when killed by a signal). */
  exit: Promise<number | null>;
  /** All its output was read (its workers, which share its pipes, ended too). */
  closed: Promise<void>;
  /** SIGKILL it unless it ended, and wait for its exit. */
  kill(): Promise<void>;
}

/**
 * Start `rxpulsar join tls://ADDRESS --app APP -w N`.
 * @param address - the hub, `HOST:PORT`.
 * @param files - the CA (the hub's certificate) and the secret.
 * @param options - app, workers, more arguments, the host to run on.
 * @returns the joiner.
 */
export function startJoiner(
  address: string,
  files: TlsFiles,
  options: { app: string; workers?: number; args?: string[]; host?: TwoHosts },
): Joiner {
  const { app, workers = 2, args = [], host } = options;
  const argv = [bin, 'join', `tls://${address}`, '--app', app, '-w', String(workers)];
  argv.push('--hub-ca', files.cert, '--hub-secret-file', files.secret, ...args);
  const spawnOptions: SpawnOptions = {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RXPULSAR_LOG_LEVEL: 'info' },
  };
  const child =
    host === undefined
      ? spawn(process.execPath, argv, spawnOptions)
      : host.spawn(process.execPath, argv, spawnOptions);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => text,
    exit,
    closed,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}
