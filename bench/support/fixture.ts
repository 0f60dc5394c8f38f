/**
 * Paths of the compiled fixtures and a way to end child processes for sure.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The compiled path of a fixture under `bench/fixtures/`.
 *
 * @param name - file name without extension.
 * @returns an absolute path to the `.js` file.
 * @example
 * ```ts
 * fork(fixture('fork-echo'));
 * ```
 */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

/**
 * End a child process: SIGTERM, then SIGKILL after `graceMs`; resolves once it exited.
 *
 * @param child - the child.
 * @param graceMs - how long SIGTERM has.
 */
export async function endChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Wait for the first IPC message of a forked child.
 *
 * @param child - a child started with `fork()`.
 * @returns the message.
 */
export function firstMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`fixture exited (${code}) before its first message`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (msg) => {
      child.off('exit', onExit);
      child.off('error', reject);
      resolve(msg);
    });
  });
}
