/**
 * A fixture arbiter in a child process, for the specs that need a second
 * one (or one to stop and start again): started, it prints "ready".
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * @param script - the fixture (a path).
 * @param args - its arguments.
 * @returns the child, once it printed "ready" (rejected if it exits first).
 */
export function startChildArbiter(script: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** @param child - stopped with SIGTERM; resolved once it exited. */
export async function stopChildArbiter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
