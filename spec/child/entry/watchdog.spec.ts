import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { removeStaleRuntimeDirs } from '../../../lib/util/runtimeDir.js';
import { alive, waitFor } from '../../support/waiting.js';

const script = fileURLToPath(new URL('../../fixtures/actors/busy-arbiter.js', import.meta.url));

describe('startWatchdog()', () => {
  it('should kill a process actor busy in an endless loop when its arbiter is SIGKILLed', async () => {
    const arbiter = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => arbiter.once('exit', resolve));
    let pid: number | undefined;
    try {
      pid = await new Promise<number>((resolve, reject) => {
        arbiter.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        arbiter.once('exit', () => reject(new Error('the arbiter script exited first')));
      });
      expect(alive(pid)).to.equal(true);
      arbiter.kill('SIGKILL');
      await exited;
      await waitFor(() => !alive(pid), 10_000, `the busy worker ${pid} gone`);
    } finally {
      if (arbiter.exitCode === null && arbiter.signalCode === null) arbiter.kill('SIGKILL');
      await exited;
      if (alive(pid)) process.kill(pid!, 'SIGKILL');
      removeStaleRuntimeDirs();
    }
  });
});
