import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Task } from '../../../lib/index.js';
import { within } from '../../support/waiting.js';

const script = new URL('../../fixtures/tasks/arbiter.js', import.meta.url).pathname;
const dir = join(tmpdir(), `rxp-tasks-restart-${process.pid}`);

interface Report {
  counts: Record<string, number>;
  long: Task;
  ticks: string[];
  startedAt: number;
}

/** Run the arbiter fixture; `untilLine`: resolve at that line (the process keeps running). */
function run(mode: string, untilLine?: string): { pid: number; output: Promise<string> } {
  const child = spawn(process.execPath, ['--enable-source-maps', script, dir, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const output = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (untilLine !== undefined && out.includes(untilLine)) resolve(out);
    });
    child.on('exit', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(out);
      else reject(new Error(`arbiter ${mode} exited with ${code ?? signal}: ${out}${err}`));
    });
  });
  return { pid: child.pid!, output };
}

function removeRuntimeDirs(pid: number): void {
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(`rxpulsar-${pid}-`))
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

describe('TaskQueue', () => {
  beforeEach(() => rmSync(dir, { recursive: true, force: true }));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('restart on the same dataDir', () => {
    it('should run every queued, delayed and running task of an arbiter killed with SIGKILL', async function () {
      this.timeout(60_000);
      const first = run('queue', 'queued\n');
      await within(first.output, 30_000, 'tasks queued');
      process.kill(first.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 300));
      removeRuntimeDirs(first.pid);
      const second = run('drain');
      const report = JSON.parse((await within(second.output, 30_000, 'drained')).trim()) as Report;
      expect(report.counts['SUCCESS']).to.equal(16);
      expect(report.counts['FAILURE'] ?? 0).to.equal(0);
      expect(report.long).to.include({ state: 'SUCCESS' });
    });
  });

  describe('a second arbiter on a live dataDir', () => {
    it('should be refused with a clear error', async function () {
      this.timeout(60_000);
      const first = run('queue', 'queued\n');
      await within(first.output, 30_000, 'tasks queued');
      try {
        const err = await run('drain').output.then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(err?.message)
          .to.match(
            /the lock of the data directory \S+\/lock belongs to process \d+, which is running/,
          )
          .and.contain('--data-dir')
          .and.not.contain('another pidFile');
      } finally {
        process.kill(first.pid, 'SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 300));
        removeRuntimeDirs(first.pid);
      }
    });
  });

  describe('periodic jobs', () => {
    it('should queue one task per tick, and a tick missed while nothing ran once on start', async function () {
      this.timeout(60_000);
      const one = JSON.parse(
        (await within(run('periodic').output, 30_000, 'run 1')).trim(),
      ) as Report;
      expect(one.ticks.length).to.be.at.least(1);
      for (const id of one.ticks)
        expect(id).to.match(/^tick@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(new Set(one.ticks).size).to.equal(one.ticks.length);
      await new Promise((resolve) => setTimeout(resolve, 2200));
      const two = JSON.parse(
        (await within(run('periodic').output, 30_000, 'run 2')).trim(),
      ) as Report;
      // The journal's tick records, in order: run 1's, then run 2's. The
      // longest gap lies between them: the ticks inside it were missed while
      // nothing ran; only the last one (the first of run 2) was queued.
      const journal = readFileSync(join(dir, 'tasks.journal'), 'utf8').trim().split('\n');
      const ticks = journal
        .map((line) => JSON.parse(line) as { t: string; at?: number })
        .filter((r) => r.t === 'tick')
        .map((r) => r.at!);
      let gap = 1;
      for (let i = 2; i < ticks.length; i++) {
        if (ticks[i]! - ticks[i - 1]! > ticks[gap]! - ticks[gap - 1]!) gap = i;
      }
      const [before, catchUp] = [ticks[gap - 1]!, ticks[gap]!];
      expect(catchUp - before, 'ticks were missed').to.be.at.least(2000);
      const id = (at: number): string => `tick@${new Date(at).toISOString()}`;
      expect(two.ticks, 'the missed tick, queued once on start').to.include(id(catchUp));
      for (let at = before + 1000; at < catchUp; at += 1000) {
        expect(
          journal.some((line) => line.includes(id(at))),
          `${id(at)} skipped`,
        ).to.equal(false);
      }
      for (const id of two.ticks) expect(one.ticks).to.not.include(id);
    });
  });
});
