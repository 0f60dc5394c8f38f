/**
 * A real zombie for the specs: a process that exited and whose parent
 * never reads its exit. `sh` starts `sleep 0.2` in the background, then
 * becomes `sleep 30` (exec), which inherits that child and never reaps it:
 * once `sleep 0.2` ends, its pid is a zombie until `release()` kills the
 * `sleep 30` (init then reaps it). Linux only (`/proc` tells the state).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { procState } from '../../lib/util/procState.js';
import { waitFor, within } from './waiting.js';

/** A zombie, and the way to let it go. */
export interface Zombie {
  /** The zombie's pid. */
  pid: number;
  /** Kill its parent (a `sleep 30`) and wait for its exit: init reaps the zombie. */
  release(): Promise<void>;
}

/**
 * Make a zombie; resolves once `/proc` says its state is `Z`.
 * @returns the zombie.
 */
export async function makeZombie(): Promise<Zombie> {
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(parent, 'exit');
  const release = async (): Promise<void> => {
    if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    await exited;
  };
  try {
    const line = await within(
      once(createInterface({ input: parent.stdout }), 'line') as Promise<[string]>,
      10_000,
      'the background pid',
    );
    const pid = Number(line[0]);
    await waitFor(() => procState(pid) === 'Z', 10_000, `process ${pid} a zombie`);
    parent.stdout.destroy();
    return { pid, release };
  } catch (err) {
    await release();
    throw err;
  }
}
