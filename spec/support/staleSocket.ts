/**
 * A stale Unix socket file, as a server killed with SIGKILL leaves it: the
 * file is there, nobody listens. (A server that closes removes its file,
 * so only a process that dies while listening leaves one.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstatSync } from 'node:fs';
import { within } from './waiting.js';

const LISTENER =
  "require('node:net').createServer().listen(process.argv[1], () => console.log('up'))";

/**
 * Make a stale socket at a path: a child listens there, then is killed.
 * @param path - the socket's path.
 */
export async function makeStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', LISTENER, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  try {
    await within(once(child.stdout, 'data'), 10_000, 'the listener up');
  } finally {
    child.kill('SIGKILL');
    await exited;
    child.stdout.destroy();
  }
  if (!lstatSync(path).isSocket()) throw new Error(`no socket file at ${path}`);
}
