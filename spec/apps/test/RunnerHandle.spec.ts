import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { RunnerHandle, type RunnerExit } from '../../../lib/apps/test/RunnerHandle.js';
import type { FileJob } from '../../../lib/apps/test/wire.js';
import { processEnded } from '../../../lib/util/processEnded.js';
import { fixture } from '../../support/testCli.js';

const job = (file: string): FileJob => ({
  id: 1,
  file: join(fixture('crash'), file),
  setupFiles: [],
  options: {},
  dry: false,
});

/**
 * Block this thread until each process is dead: a zombie its parent (this
 * process) has not reaped yet, since reaping waits for this loop. Where
 * there is no /proc, for a while long enough for a runner to boot and die.
 * @param pids - the processes.
 */
function blockUntilDead(pids: number[]): void {
  const until = Date.now() + (existsSync('/proc/self/stat') ? 30_000 : 5_000);
  while (Date.now() < until && !pids.every(processEnded)) {
    // Blocked: the runners' messages and exits wait for the same turn.
  }
}

/** A process runner and the first exit it reports, with whether its test's event came first. */
function runner(file: string): {
  handle: RunnerHandle;
  exit: Promise<{ exit: RunnerExit; sawTest: boolean }>;
  test: Promise<void>;
} {
  let sawTest = false;
  let began!: () => void;
  const test = new Promise<void>((resolve) => (began = resolve));
  let ended!: (value: { exit: RunnerExit; sawTest: boolean }) => void;
  const exit = new Promise<{ exit: RunnerExit; sawTest: boolean }>((resolve) => (ended = resolve));
  const handle = new RunnerHandle(
    'process',
    (json) => {
      if (!json.includes('"name":"test"')) return;
      sawTest = true;
      began();
    },
    (e) => ended({ exit: e, sawTest }),
  );
  handle.run(job(file));
  return { handle, exit, test };
}

describe('RunnerHandle', function () {
  this.timeout(60_000);

  describe('onExit', () => {
    it('should come after the events the runner sent just before it died', async () => {
      // Each runner sends its test's event, then kills itself, while this
      // loop is blocked: the message and the exit are read in the same turn.
      const runners = [runner('killed.test.js'), runner('killed.test.js')];
      try {
        blockUntilDead(runners.map((r) => r.handle.pid!));
        for (const { exit } of runners) {
          const { exit: how, sawTest } = await exit;
          expect(how).to.include({ kind: 'process', signal: 'SIGKILL', killed: false });
          expect(sawTest, 'the test event came before the exit').to.equal(true);
        }
      } finally {
        await Promise.all(runners.map((r) => r.handle.close()));
      }
    });
  });

  describe('kill()', () => {
    it('should kill a hung runner, its exit saying so', async () => {
      const { handle, exit, test } = runner('hangs.test.js');
      try {
        await test;
        handle.kill();
        expect((await exit).exit).to.include({ signal: 'SIGKILL', killed: true });
      } finally {
        await handle.close();
      }
    });

    it('should leave alone a runner that ended on its own before the kill, its exit saying so', async () => {
      const { handle, exit } = runner('killed.test.js');
      try {
        // Dead, its exit not read yet: the kill comes in between.
        blockUntilDead([handle.pid!]);
        handle.kill();
        expect((await exit).exit).to.include({ signal: 'SIGKILL', killed: false });
      } finally {
        await handle.close();
      }
    });
  });
});
