import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { OrphanReaper } from '../../lib/concurrency/OrphanReaper.js';
import { arbiter, spawn as spawnActor } from '../../lib/index.js';
import { removeStaleRuntimeDirs } from '../../lib/util/runtimeDir.js';
import { alive, sleep, waitFor } from '../support/waiting.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/actors/${name}.js`, import.meta.url));

/** A child that sleeps, to be watched. */
function sleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

/** Kill and wait for the children given. */
async function reap(...children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** The parent pid of a Linux process, from /proc. */
function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Whether a Linux process ignores a signal (its `SigIgn` mask, from /proc). */
function ignores(pid: number, signal: number): boolean {
  const mask = /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(signal - 1))) !== 0n;
}

/**
 * Run an arbiter script in its own process: the pids it prints (its
 * children's, then its reaper's), then SIGKILL it and run `then` with them.
 */
async function killArbiter(
  script: string,
  env: NodeJS.ProcessEnv,
  then: (...pids: number[]) => Promise<void>,
): Promise<void> {
  const a = spawn(process.execPath, [fixture(script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise((resolve) => a.once('exit', resolve));
  let pids: number[] = [];
  try {
    pids = await new Promise<number[]>((resolve, reject) => {
      a.stdout.once('data', (chunk: Buffer) =>
        resolve(chunk.toString().trim().split(' ').map(Number)),
      );
      a.once('exit', () => reject(new Error(`${script} exited first`)));
    });
    expect(pids.map(alive), 'its children, then its reaper').to.deep.equal(pids.map(() => true));
    a.kill('SIGKILL');
    await exited;
    await then(...pids);
  } finally {
    if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
    await exited;
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    removeStaleRuntimeDirs();
  }
}

describe('OrphanReaper', () => {
  describe('removeWith()', () => {
    it('should remove the folder after killing the children left when its pipe ends, and keep it when none is left', async () => {
      const reaper = new OrphanReaper(100);
      const [a, b] = [sleeper(), sleeper()];
      const kept = mkdtempSync(join(tmpdir(), 'rxp-reaper-'));
      const removed = mkdtempSync(join(tmpdir(), 'rxp-reaper-'));
      try {
        // None left: the reaper ends (its pipe closed), the folder stays.
        reaper.watch(a.pid!);
        reaper.removeWith(kept);
        const first = reaper.pid!;
        reaper.forget(a.pid!);
        await waitFor(() => !alive(first), 10_000, 'the idle reaper gone');
        expect(existsSync(kept)).to.equal(true);
        // One left as this process "dies" (its pipe ends while b is listed).
        reaper.watch(b.pid!);
        reaper.removeWith(removed);
        const second = reaper.pid!;
        (reaper['child'] as ChildProcess).stdin!.end();
        await waitFor(() => b.signalCode === 'SIGKILL', 10_000, 'the child left killed');
        await waitFor(() => !existsSync(removed), 10_000, 'the folder removed');
        await waitFor(() => !alive(second), 10_000, 'the reaper gone');
        // The folder given first went with it too (kept for the reaper's life).
        expect(existsSync(kept)).to.equal(false);
      } finally {
        await reap(a, b);
        rmSync(kept, { recursive: true, force: true });
        rmSync(removed, { recursive: true, force: true });
      }
    });
  });

  describe('watch()', () => {
    it('should start one reaper for the children watched, and end it with the last one forgotten', async () => {
      const reaper = new OrphanReaper(100);
      const [a, b] = [sleeper(), sleeper()];
      try {
        expect(reaper.pid).to.equal(undefined);
        reaper.watch(a.pid!);
        const pid = reaper.pid!;
        expect(alive(pid)).to.equal(true);
        expect(ppidOf(pid)).to.equal(process.pid);
        reaper.watch(b.pid!);
        expect(reaper.pid).to.equal(pid);
        reaper.forget(a.pid!);
        await sleep(300); // more than its grace: forgetting one child ends nothing
        expect(alive(pid)).to.equal(true);
        expect(a.exitCode ?? a.signalCode).to.equal(null);
        reaper.forget(b.pid!);
        expect(reaper.pid).to.equal(undefined);
        await waitFor(() => !alive(pid), 10_000, 'the reaper gone');
        expect(a.exitCode ?? a.signalCode, 'a forgotten child is not killed').to.equal(null);
        expect(b.exitCode ?? b.signalCode).to.equal(null);
      } finally {
        await reap(a, b);
      }
    });

    it('should keep watching a pid watched again before its first forget() (a pid reused)', async () => {
      const reaper = new OrphanReaper(100);
      const a = sleeper();
      try {
        // The replacement forked in another child's exit got that child's pid:
        // watched again before the old one's forget().
        reaper.watch(a.pid!);
        reaper.watch(a.pid!);
        const pid = reaper.pid!;
        reaper.forget(a.pid!); // the old process's
        expect(reaper.pid, 'the new one still watched').to.equal(pid);
        // Its arbiter gone (the pipe closed): the new process is killed.
        (reaper as unknown as { child: ChildProcess }).child.stdin!.end();
        await waitFor(() => a.signalCode === 'SIGKILL', 10_000, 'the child killed');
        await waitFor(() => !alive(pid), 10_000, 'the reaper gone');
      } finally {
        await reap(a);
      }
    });

    it('should do without a reaper when there is no shell, and not try again', async () => {
      const reaper = new OrphanReaper(100, '/nonexistent/sh');
      const [a, b] = [sleeper(), sleeper()];
      try {
        reaper.watch(a.pid!);
        expect(reaper.pid).to.equal(undefined);
        await waitFor(
          () => (reaper as unknown as { unavailable: boolean }).unavailable,
          10_000,
          'the failed spawn seen',
        );
        reaper.watch(b.pid!);
        expect((reaper as unknown as { child: unknown }).child, 'not spawned again').to.equal(
          undefined,
        );
        reaper.forget(a.pid!);
        reaper.forget(b.pid!);
      } finally {
        await reap(a, b);
      }
    });

    it('should ignore SIGINT and SIGTERM (Ctrl-C or a service manager reach the whole process group)', async () => {
      const reaper = new OrphanReaper(100);
      const a = sleeper();
      try {
        reaper.watch(a.pid!);
        const pid = reaper.pid!;
        // SIGINT is 2, SIGTERM 15.
        await waitFor(() => ignores(pid, 2) && ignores(pid, 15), 10_000, 'its trap set');
        process.kill(pid, 'SIGINT');
        process.kill(pid, 'SIGTERM');
        await sleep(200);
        expect(alive(pid)).to.equal(true);
        reaper.forget(a.pid!);
        await waitFor(() => !alive(pid), 10_000, 'the reaper gone');
      } finally {
        await reap(a);
      }
    });

    it('should know the children and folder watched at its start from its arguments, so that a process killed before any write loses none', async () => {
      // The fixture's reaper gets nothing on its pipe: only its arguments.
      const dir = mkdtempSync(join(tmpdir(), 'rxp-reaper-'));
      try {
        await killArbiter('mute-reaper', { RXP_REAPER_DIR: dir }, async (a, b, reaper) => {
          await waitFor(() => !alive(a) && !alive(b), 10_000, 'the children killed');
          await waitFor(() => !existsSync(dir), 10_000, 'the folder removed');
          await waitFor(() => !alive(reaper), 10_000, 'the reaper ended');
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should start again with the children still watched if its reaper was killed', async () => {
      const reaper = new OrphanReaper(100);
      const [a, b] = [sleeper(), sleeper()];
      try {
        reaper.watch(a.pid!);
        const first = reaper.pid!;
        process.kill(first, 'SIGKILL');
        await waitFor(() => reaper.pid === undefined, 10_000, 'the killed reaper noticed');
        reaper.watch(b.pid!);
        expect(reaper.pid).to.be.a('number').and.not.equal(first);
        reaper.forget(a.pid!);
        reaper.forget(b.pid!);
      } finally {
        await reap(a, b);
      }
    });
  });

  describe('hold()', () => {
    it('should keep the reaper while no child is watched, until released', async () => {
      const reaper = new OrphanReaper(100);
      const [a, b] = [sleeper(), sleeper()];
      const release = reaper.hold();
      try {
        expect(reaper.pid, 'held, not started').to.equal(undefined);
        reaper.watch(a.pid!);
        const pid = reaper.pid!;
        reaper.forget(a.pid!);
        await sleep(300);
        expect(alive(pid)).to.equal(true);
        reaper.watch(b.pid!);
        expect(reaper.pid, 'the same reaper').to.equal(pid);
        reaper.forget(b.pid!);
        release();
        release(); // once only
        expect(reaper.pid).to.equal(undefined);
        await waitFor(() => !alive(pid), 10_000, 'the reaper gone');
      } finally {
        release();
        await reap(a, b);
      }
    });
  });

  describe('when the arbiter dies', () => {
    it('should kill a process actor busy in an endless loop after the grace', async () => {
      await killArbiter('busy-arbiter', {}, async (child, reaper) => {
        await waitFor(() => !alive(child), 10_000, `the busy worker ${child} gone`);
        await waitFor(() => !alive(reaper), 10_000, `its reaper ${reaper} gone`);
      });
    });

    it('should let an idle process actor stop by itself within the grace, its stopping hook run', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'orphan-reaper-spec-'));
      const mark = join(dir, 'stopped');
      try {
        await killArbiter('idle-arbiter', { RXPULSAR_SPEC_MARK: mark }, async (child, reaper) => {
          await waitFor(() => !alive(child), 10_000, `the idle worker ${child} gone`);
          expect(existsSync(mark), 'its stopping hook ran').to.equal(true);
          expect(readFileSync(mark, 'utf8')).to.equal(`stopped ${child}\n`);
          await waitFor(() => !alive(reaper), 10_000, `its reaper ${reaper} gone`);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when the arbiter stops', () => {
    it('should leave no reaper behind, having kept one for all its process actors', async () => {
      const a = arbiter({ signals: false, control: false });
      await a.start();
      let pid: number | undefined;
      try {
        expect(OrphanReaper.shared.pid, 'started with the first process actor').to.equal(undefined);
        const first = await spawnActor({ name: 'reaped', concurrency: 'process' });
        pid = OrphanReaper.shared.pid;
        expect(alive(pid)).to.equal(true);
        expect(ppidOf(pid!)).to.equal(process.pid);
        await first.stop();
        const second = await spawnActor({ name: 'reaped-too', concurrency: 'process' });
        expect(OrphanReaper.shared.pid, 'the same reaper').to.equal(pid);
        expect(second.pid).to.not.equal(process.pid);
      } finally {
        await a.stop();
      }
      expect(OrphanReaper.shared.pid).to.equal(undefined);
      await waitFor(() => !alive(pid), 10_000, 'the reaper gone');
    });
  });
});
