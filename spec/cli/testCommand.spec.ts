import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  fixture,
  normalizeReport,
  rxpulsarTest,
  serialMocha,
  startTest,
} from '../support/testCli.js';

describe('rxpulsar test (command line)', function () {
  this.timeout(90_000);

  describe('reporting', () => {
    for (const reporter of ['spec', 'json', 'xunit', 'tap']) {
      it(`should report as serial mocha does with the ${reporter} reporter`, async () => {
        const args = [fixture('mixed'), '--reporter', reporter, '--slow', '100000'];
        const [ours, theirs] = await Promise.all([
          rxpulsarTest([...args, '-w', '2']),
          serialMocha(args),
        ]);
        expect(ours.code).to.equal(theirs.code).and.equal(5);
        expect(normalizeReport(reporter, ours.stdout)).to.equal(
          normalizeReport(reporter, theirs.stdout),
        );
      });
    }

    it('should report on worker threads as on processes', async () => {
      const args = [fixture('mixed'), '--reporter', 'json', '--slow', '100000'];
      const [threads, processes] = await Promise.all([
        rxpulsarTest([...args, '-w', '2', '--concurrency', 'thread']),
        rxpulsarTest([...args, '-w', '2']),
      ]);
      expect(threads.code).to.equal(5);
      expect(normalizeReport('json', threads.stdout)).to.equal(
        normalizeReport('json', processes.stdout),
      );
    });

    it("should print a test's console output with that test, not among other files' output", async () => {
      const { code, stdout, stderr } = await rxpulsarTest([fixture('noisy'), '-w', '2']);
      expect(code).to.equal(0);
      const lines = stdout.split('\n').map((l) => l.replace(/\(\d+ms\)/, '').trim());
      const first = lines.indexOf('first: one');
      expect(lines.slice(first, first + 3)).to.deep.equal(['first: one', 'first: two', '✔ talks']);
      const second = lines.indexOf('second: one');
      expect(lines.slice(second, second + 3)).to.deep.equal([
        'second: one',
        'second: two',
        '✔ talks',
      ]);
      expect(stderr).to.contain('first: to stderr');
    });
  });

  describe('.only and --grep', () => {
    it('should restrict the whole run to the .only tests of every file, as serial mocha', async () => {
      const args = [fixture('only'), '--reporter', 'spec'];
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([...args, '-w', '2']),
        serialMocha(args),
      ]);
      expect(ours.code).to.equal(0);
      expect(ours.stdout).to.contain('3 passing').and.not.contain('three');
      expect(normalizeReport('spec', ours.stdout)).to.equal(normalizeReport('spec', theirs.stdout));
    });

    it('should apply --grep and --invert across files', async () => {
      const args = [fixture('only'), '--grep', 'grep-me', '--invert'];
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([...args, '-w', '2']),
        serialMocha(args),
      ]);
      expect(ours.stdout).to.contain('2 passing');
      expect(normalizeReport('spec', ours.stdout)).to.equal(normalizeReport('spec', theirs.stdout));
    });
  });

  describe('crash isolation', () => {
    it('should fail the test whose worker died or hung, name it, and go on with a fresh worker', async () => {
      const { code, stdout } = await rxpulsarTest([fixture('crash'), '-w', '2']);
      expect(code).to.equal(4);
      expect(stdout).to.contain('4 passing').and.contain('4 failing');
      expect(stdout).to.match(
        /worker process \d+ exited \(code 3\) while running "[^"]*calls process.exit" in \S+exits\.test\.js/,
      );
      expect(stdout).to.match(
        /worker process \d+ exited \(signal SIGKILL\) while running "killed kills its worker" in \S+killed\.test\.js/,
      );
      expect(stdout).to.match(
        /"hangs blocks the event loop" in \S+hangs\.test\.js ran past its timeout \(2000 ms\)/,
      );
      expect(stdout).to.contain('Uncaught error outside test suite').and.contain('broken at load');
      expect(stdout).to.contain('✔ still passes 3');
    });

    it('should isolate a worker thread that exits', async () => {
      const { code, stdout } = await rxpulsarTest([
        join(fixture('crash'), 'exits.test.js'),
        join(fixture('crash'), 'fine.test.js'),
        '-w',
        '1',
        '--concurrency',
        'thread',
      ]);
      expect(code).to.equal(1);
      expect(stdout).to.match(/worker thread exited \(code 3\)/);
      expect(stdout).to.contain('4 passing');
    });
  });

  describe('stopping', () => {
    it('should stop the whole run after the first failure with --bail', async () => {
      const { code, stdout } = await rxpulsarTest([fixture('slow'), '--bail', '-w', '2']);
      expect(code).to.equal(1);
      expect(stdout).to.contain('1 failing').and.contain('first failure');
      const passing = Number(/(\d+) passing/.exec(stdout)?.[1]);
      expect(passing).to.be.below(30);
    });

    it('should stop on Ctrl-C (SIGINT), print the summary and exit 130', async () => {
      const child = startTest([fixture('slow'), '-w', '2', '--no-durations']);
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('✔')) resolve();
        });
      });
      child.kill('SIGINT');
      expect(await exited).to.equal(130);
      expect(stdout).to.match(/\d+ passing/);
      expect(Number(/(\d+) passing/.exec(stdout)?.[1])).to.be.below(31);
    });
  });

  describe('files', () => {
    it('should exit as mocha does when no spec file is found', async () => {
      const [ours, theirs] = await Promise.all([
        rxpulsarTest(['no/such/dir']),
        serialMocha(['no/such/dir']),
      ]);
      expect(ours.code).to.equal(theirs.code).and.equal(1);
      expect(ours.stderr).to.contain('No test files found: "no/such/dir"');
    });

    it('should keep the durations of files between runs', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-durations-'));
      try {
        const cache = join(dir, 'durations.json');
        const { code } = await rxpulsarTest([fixture('only'), '--durations', cache, '-w', '2']);
        expect(code).to.equal(0);
        const durations = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, number>;
        expect(
          Object.keys(durations)
            .sort()
            .map((f) => f.split('/').pop()),
        ).to.deep.equal(['one.test.js', 'two.test.js']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should print its usage with --help', async () => {
      const { code, stdout } = await rxpulsarTest(['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.contain('Usage: rxpulsar test').and.contain('--workers');
    });
  });
});
