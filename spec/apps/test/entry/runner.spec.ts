import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { FileJob } from '../../../../lib/apps/test/wire.js';
import { staticImports } from '../../../support/importGraph.js';
import { fixture } from '../../../support/testCli.js';
import { waitFor, within } from '../../../support/waiting.js';

const ENTRY = fileURLToPath(new URL('../../../../lib/apps/test/entry/runner.js', import.meta.url));

/** A runner as a worker actor forks it (IPC, no prestarted socket), its stderr kept. */
function forkRunner(): { child: ChildProcess; stderr: () => string } {
  const child = fork(ENTRY, [], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, stderr: () => stderr };
}

/** How `child` ended (30 s at most; killed after that). */
async function ended(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve([child.exitCode, child.signalCode]);
    } else child.once('exit', (code, signal) => resolve([code, signal]));
  });
  try {
    return await within(exit, 30_000, 'the runner did not end');
  } finally {
    child.kill('SIGKILL');
    await exit;
  }
}

describe('runner (spec runner entry)', () => {
  describe('import', () => {
    it('should load mocha and its own few modules, none of the runtime files of rxpulsar', () => {
      // Evaluating runtime-lib.js and runtime.js cost each runner 20–40 ms of
      // CPU before its first test (docs/choices.md, "rxpulsar test: start-up, sixth round").
      const loaded = staticImports(
        new URL('../../../../lib/apps/test/entry/runner.js', import.meta.url),
      );
      expect(loaded).to.include('apps/test/SpecFileRunner.js');
      expect(loaded.filter((path) => /^runtime(-\w+)?\.js$/.test(path))).to.deep.equal([]);
    });
  });

  describe('IPC channel', function () {
    this.timeout(60_000);

    it('should send nothing and end by itself when its parent disconnects while it loads', async () => {
      // A pool's runner booting as the run ends: its worker actor left before it was loaded.
      const { child, stderr } = forkRunner();
      const heard: unknown[] = [];
      child.on('message', (message) => heard.push(message));
      child.disconnect();
      expect(await ended(child)).to.deep.equal([0, null]);
      expect(stderr()).to.not.contain('ERR_IPC_CHANNEL_CLOSED');
      expect(stderr()).to.equal('');
      expect(heard).to.deep.equal([]);
    });

    it('should end, quietly, when its parent disconnects while a file runs', async () => {
      const { child, stderr } = forkRunner();
      const heard: string[] = [];
      child.on('message', (message: string) => heard.push(message));
      await waitFor(() => heard.includes('{"name":"ready"}'), 30_000, 'the runner ready');
      const job: FileJob = {
        id: 1,
        file: join(fixture('held'), 'held.test.js'),
        setupFiles: [],
        options: {},
      };
      child.send({ type: 'run', job });
      // The test began: the runner sends as it goes, until it is disconnected.
      await waitFor(
        () => heard.some((batch) => batch.startsWith('[1,') && batch.includes('"name":"test"')),
        30_000,
        'the held test begun',
      );
      child.disconnect();
      // Its test would run for 10 minutes: it ends because its channel did.
      expect(await ended(child)).to.deep.equal([0, null]);
      expect(stderr()).to.equal('');
    });
  });
});
