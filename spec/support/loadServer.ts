/**
 * The arbiter of the drain specs: spec/fixtures/apps/load-server run as its
 * own process, leader of its own process group (as a shell runs a command:
 * Ctrl-C reaches the whole group), signals on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { alive, waitFor } from './waiting.js';

const FIXTURE = new URL('../fixtures/apps/load-server.js', import.meta.url);

/** An arbiter process running the load-server fixture, leader of its own process group. */
export interface Server {
  child: ChildProcess;
  address: string;
  exited: Promise<number | null>;
  /** What the arbiter and its workers wrote on stderr (their logs) so far. */
  stderr(): string;
  /** Resolved once a worker began to serve `GET path` (a `/slow` one), as it says on stderr. */
  began(path: string): Promise<void>;
}

/**
 * Start the fixture; resolves once it listens.
 * @param env - LOAD_* variables and settings (`RXPULSAR_GRACEFUL_TIMEOUT`…).
 */
export async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [FIXTURE.pathname], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the server printed no address')), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const match = /listening (\S+)/.exec(text);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', () => reject(new Error(`the server exited before listening: ${stderr}`)));
  }).catch(async (err: unknown) => {
    await reap({
      child,
      address: '',
      exited,
      stderr: () => stderr,
      began: () => Promise.resolve(),
    });
    throw err;
  });
  return {
    child,
    address,
    exited,
    stderr: () => stderr,
    began: (path) => waitFor(() => stderr.includes(`began GET ${path}\n`), 20_000, `GET ${path}`),
  };
}

/** Kill what is left of the group (a failed spec) and wait for the leader. */
export async function reap(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  const pid = server.child.pid!;
  if (alive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await server.exited;
  server.child.stdout?.destroy();
  server.child.stderr?.destroy();
  await waitFor(() => !groupAlive(pid), 10_000, 'the workers of the group exited');
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
