import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { processEnded } from '../../lib/util/processEnded.js';

/** Sleep without turning the loop (so a child's exit is not read meanwhile). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('processEnded()', () => {
  it('should say a running process has not ended', () => {
    expect(processEnded(process.pid)).to.equal(false);
  });

  it('should say a child has ended before its parent reads its exit, and after', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const pid = child.pid!;
    // The loop does not turn here: the child, once dead, stays a zombie.
    const until = Date.now() + 10_000;
    while (!processEnded(pid) && Date.now() < until) sleepSync(10);
    expect(processEnded(pid)).to.equal(true);
    expect(child.exitCode).to.equal(null);
    await exited;
    expect(processEnded(pid)).to.equal(true);
  });
});
