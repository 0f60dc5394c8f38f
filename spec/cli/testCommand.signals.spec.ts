import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { processAlive } from '../../lib/util/processAlive.js';
import { fixture, startTest } from '../support/testCli.js';

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  return table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === pid)
    .map(([child]) => child!);
}

/** The folders of process `pid` in the temp directory (its hub's, its runners' sockets). */
function foldersOf(pid: number): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`rxpulsar-${pid}-`));
}

/** A run of the slow fixture, once its first test passed. */
interface Running {
  child: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  stdout: () => string;
}

/** Start `rxpulsar test` on the slow fixture with `args`; resolve once its first test passed. */
async function startSlow(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = startTest([fixture('slow'), '-w', '2', '--no-durations', ...args], env);
  let stdout = '';
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, sig) => resolve([code, sig])),
  );
  const running = { child, exited, stdout: () => stdout };
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('✔')) resolve();
      });
      void exited.then(([code, sig]) =>
        reject(new Error(`ended early (${code ?? sig}):\n${stdout}`)),
      );
    });
  } catch (err) {
    await end(running, []);
    throw err;
  }
  return running;
}

/** Kill what is left of a run (a failed expectation must not leave it going). */
async function end({ child, exited }: Running, processes: number[]): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  for (const left of processes.filter(processAlive)) process.kill(left, 'SIGKILL');
}

/** Wait (up to 5 s) for `processes` to be gone (a zombie's parent is gone too: reaped soon). */
async function gone(processes: number[]): Promise<number[]> {
  for (let i = 0; i < 100 && processes.some(processAlive); i++) await sleep(50);
  return processes.filter(processAlive);
}

describe('rxpulsar test (command line)', function () {
  this.timeout(90_000);

  describe('stopping', () => {
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      it(`should end by ${signal} as mocha, printing the summary and leaving no runner or socket folder`, async () => {
        const running = await startSlow([]);
        const { child, exited } = running;
        const pid = child.pid!;
        const runners = childrenOf(pid);
        try {
          expect(runners).to.have.length.of.at.least(2);
          expect(foldersOf(pid).filter((name) => name.includes('-rxpt-'))).to.have.length(1);
          child.kill(signal);
          expect(await exited).to.deep.equal([null, signal]);
          expect(running.stdout()).to.match(/\d+ passing/);
          expect(foldersOf(pid)).to.deep.equal([]);
          expect(runners.filter(processAlive)).to.deep.equal([]);
        } finally {
          // A failed expectation before the signal must not leave the run going.
          await end(running, runners);
        }
      });
    }
    it('should stop on Ctrl-C as it starts (its runners just forked), print the summary, exit 130 and leave nothing', async () => {
      const child = startTest([fixture('slow'), '-w', '2', '--no-durations']);
      const pid = child.pid!;
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (code, sig) => resolve([code, sig])),
      );
      let runners: number[] = [];
      try {
        // To this process alone (not its group): its runners must go with it.
        for (let i = 0; i < 2000 && runners.length < 2; i++) {
          await sleep(5);
          runners = childrenOf(pid);
        }
        expect(runners).to.have.length.of.at.least(2);
        child.kill('SIGINT');
        expect(await exited).to.deep.equal([130, null]);
        expect(stdout).to.match(/\d+ passing/);
        expect(foldersOf(pid)).to.deep.equal([]);
        // Orphaned runners would outlive it: they end as soon as they see it gone.
        for (let i = 0; i < 100 && runners.some(processAlive); i++) await sleep(50);
        expect(runners.filter(processAlive)).to.deep.equal([]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
        for (const runner of runners.filter(processAlive)) process.kill(runner, 'SIGKILL');
      }
    });
  });

  describe('with --node-option (re-executed under those options)', () => {
    // The command re-executes itself; the run, its runners and their folders are its child's.
    const cases = [
      ['SIGINT', false, [130, null]],
      ['SIGINT', true, [130, null]],
      ['SIGTERM', false, [null, 'SIGTERM']],
      ['SIGTERM', true, [null, 'SIGTERM']],
    ] as const;
    for (const [signal, group, end] of cases) {
      const how = group
        ? 'to its process group (as a terminal does: the child hears it twice)'
        : 'to the command alone';
      it(`should stop on ${signal} ${how}, print the summary, end as mocha and leave nothing`, async () => {
        const args = [
          fixture('slow'),
          '-w',
          '2',
          '--no-durations',
          '--node-option',
          'no-deprecation',
        ];
        const child = startTest(args, {}, { detached: group });
        const pid = child.pid!;
        let stdout = '';
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
          child.on('exit', (code, sig) => resolve([code, sig])),
        );
        let processes: number[] = [];
        try {
          await new Promise<void>((resolve, reject) => {
            child.stdout!.on('data', (chunk: Buffer) => {
              stdout += chunk.toString();
              if (stdout.includes('✔')) resolve();
            });
            void exited.then(([code, sig]) =>
              reject(new Error(`ended early (${code ?? sig}):\n${stdout}`)),
            );
          });
          const [reexecuted] = childrenOf(pid);
          expect(reexecuted).to.be.a('number');
          const runners = childrenOf(reexecuted!);
          expect(runners).to.have.length.of.at.least(2);
          processes = [reexecuted!, ...runners];
          expect(foldersOf(reexecuted!)).to.have.length.of.at.least(1);
          process.kill(group ? -pid : pid, signal);
          expect(await exited).to.deep.equal(end);
          // The summary: counted once, not ended at once as by a second one.
          expect(stdout).to.match(/\d+ passing/);
          for (let i = 0; i < 100 && processes.some(processAlive); i++) await sleep(50);
          expect(processes.filter(processAlive)).to.deep.equal([]);
          expect(foldersOf(reexecuted!)).to.deep.equal([]);
        } finally {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGKILL');
            await exited;
          }
          for (const left of processes.filter(processAlive)) process.kill(left, 'SIGKILL');
        }
      });
    }

    // A run that ends slowly: the child is busy when the signals come (see the fixture).
    const busy = ['--node-option', `import=${fixture('blockOnSignal.js')}`];

    it('should pass a second SIGTERM to the command alone on too, and end after its child, leaving nothing', async () => {
      // Busy 2 s from the first one: the second comes while the child has the run.
      const running = await startSlow(busy, { BLOCK_ON_SIGNAL_MS: '2000' });
      const pid = running.child.pid!;
      const [reexecuted] = childrenOf(pid);
      const processes = [reexecuted!, ...childrenOf(reexecuted!)];
      try {
        expect(processes).to.have.length.of.at.least(3);
        process.kill(pid, 'SIGTERM');
        await sleep(500);
        process.kill(pid, 'SIGTERM');
        // Not at once by itself: it waited for its child, which ended at once at the second.
        expect(await running.exited).to.deep.equal([null, 'SIGTERM']);
        expect(processAlive(reexecuted!)).to.equal(false);
        expect(await gone(processes)).to.deep.equal([]);
        expect(foldersOf(reexecuted!)).to.deep.equal([]);
      } finally {
        await end(running, processes);
      }
    });

    it('should kill its child (SIGKILL) and remove its folders when the child is still running past the grace of a SIGTERM', async () => {
      // Busy for longer than the grace (10 s, and 3 s more for a child).
      const running = await startSlow(busy, { BLOCK_ON_SIGNAL_MS: '40000' });
      const pid = running.child.pid!;
      const [reexecuted] = childrenOf(pid);
      const processes = [reexecuted!, ...childrenOf(reexecuted!)];
      try {
        expect(foldersOf(reexecuted!)).to.have.length.of.at.least(1);
        process.kill(pid, 'SIGTERM');
        expect(await running.exited).to.deep.equal([143, null]);
        // Its runners end as soon as they see it gone.
        expect(await gone(processes)).to.deep.equal([]);
        expect(foldersOf(reexecuted!)).to.deep.equal([]);
      } finally {
        await end(running, processes);
      }
    });
  });

  describe('a second ending signal at once', () => {
    it('should end at once and leave no runner, no hub folder and no runners folder', async () => {
      // A setting from the environment: the suite's application boots (its hub has a folder).
      const running = await startSlow([], { RXPULSAR_WORKERS: '2' });
      const pid = running.child.pid!;
      const runners = childrenOf(pid);
      try {
        expect(foldersOf(pid)).to.have.length(2);
        // Two signals at once (two of a kind may merge into one).
        process.kill(pid, 'SIGTERM');
        process.kill(pid, 'SIGHUP');
        const [code] = await running.exited;
        expect([129, 143]).to.include(code);
        expect(foldersOf(pid)).to.deep.equal([]);
        expect(await gone(runners)).to.deep.equal([]);
      } finally {
        await end(running, runners);
      }
    });
  });
});
