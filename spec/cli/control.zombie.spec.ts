import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { procState } from '../../lib/util/procState.js';
import { processAlive } from '../../lib/util/processAlive.js';
import { removeRuntimeDirs } from '../../lib/util/runtimeDir.js';
import { bin, fixtureApp, type CliResult } from '../support/RunningArbiter.js';
import { waitFor, within } from '../support/waiting.js';

describe('rxpulsar stop | ps', () => {
  describe('an arbiter whose parent does not reap it (no init in a container)', () => {
    let runtime: string;
    let parent: ChildProcess | undefined;
    let parentExited: Promise<unknown> = Promise.resolve();
    let arbiterPid: number | undefined;

    before(function () {
      if (!existsSync('/proc/self/stat')) this.skip(); // only /proc tells a zombie
    });

    beforeEach(() => {
      runtime = mkdtempSync(join(tmpdir(), 'rxp-zombie-spec-'));
    });

    afterEach(async () => {
      if (arbiterPid !== undefined && processAlive(arbiterPid)) process.kill(arbiterPid, 'SIGKILL');
      if (parent !== undefined) {
        if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
        await parentExited; // init reaps the arbiter now
        parent.stdout?.destroy();
      }
      if (arbiterPid !== undefined) removeRuntimeDirs(arbiterPid); // a killed arbiter's
      parent = arbiterPid = undefined;
      rmSync(runtime, { recursive: true, force: true });
    });

    const env = (): NodeJS.ProcessEnv => ({ ...process.env, XDG_RUNTIME_DIR: runtime });

    function cli(args: string[]): Promise<CliResult> {
      return new Promise((resolve) => {
        execFile(process.execPath, [bin, ...args], { env: env(), timeout: 30_000 }, (err, out, e) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: out, stderr: e }),
        );
      });
    }

    /** Start the ops arbiter under a parent that never reaps it; resolves once it serves. */
    async function startUnreaped(): Promise<number> {
      // sh starts the arbiter in the background, then becomes `sleep 30`,
      // which inherits it and never reads its exit.
      parent = spawn(
        'sh',
        ['-c', '"$0" "$@" & echo $!; exec sleep 30', process.execPath, bin, fixtureApp('ops')],
        { env: env(), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      parentExited = once(parent, 'exit');
      const lines = createInterface({ input: parent.stdout! });
      await within(
        new Promise<void>((resolve) =>
          lines.on('line', (line) => {
            if (arbiterPid === undefined) arbiterPid = Number(line);
            else if (line.startsWith('{')) resolve();
          }),
        ),
        30_000,
        'the arbiter ready',
      );
      return arbiterPid!;
    }

    it('should say it stopped once it exited, a zombie still', async () => {
      const pid = await startUnreaped();

      const { code, stdout, stderr } = await cli([
        'stop',
        '--name',
        'ops',
        '--timeout',
        '10',
        '--json',
      ]);

      expect(code, stderr).to.equal(0);
      expect(JSON.parse(stdout)).to.deep.equal({ pid, stopped: true });
      expect(procState(pid)).to.equal('Z'); // exited, and not reaped
    });

    it('should not list it once killed (SIGKILL), a zombie still', async () => {
      const pid = await startUnreaped();
      process.kill(pid, 'SIGKILL');
      await waitFor(() => procState(pid) === 'Z', 10_000, 'the arbiter a zombie');

      const { code, stderr } = await cli(['ps', '--name', 'ops']);

      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal('rxpulsar ps: no running arbiter is named "ops"');
    });
  });
});
