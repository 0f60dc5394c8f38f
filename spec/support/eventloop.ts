/**
 * Helpers of the eventloop specs: a tracker of loops to stop, and fixtures run
 * in a child process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IOLoop } from '../../lib/eventloop/IOLoop.js';

/** Loops created by a spec, stopped after each test. */
export class LoopTracker {
  private readonly loops: IOLoop[] = [];

  /** Remember `loop` so {@link LoopTracker.stopAll} stops it. */
  track<L extends IOLoop>(loop: L): L {
    this.loops.push(loop);
    return loop;
  }

  /** Stop every tracked loop. */
  stopAll(): void {
    for (const loop of this.loops.splice(0)) loop.stop();
  }
}

/** What a fixture process did. */
export interface FixtureRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * Fork the compiled fixture `name` (under spec/fixtures/eventloop) and wait until it
 * closes; kill it with SIGKILL when it has not exited after `timeoutMs`.
 */
export function runFixture(name: string, timeoutMs: number): Promise<FixtureRun> {
  const path = fileURLToPath(new URL(`../fixtures/eventloop/${name}.js`, import.meta.url));
  const started = Date.now();
  const child = fork(path, [], { silent: true });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(killer);
      child.kill('SIGKILL');
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}
