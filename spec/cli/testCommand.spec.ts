import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  FOCUS,
  fixture,
  normalizeMochawesome,
  normalizeReport,
  rxpulsarTest,
  serialMocha,
  startTest,
  writeFocusedSuite,
} from '../support/testCli.js';

describe('rxpulsar test (command line)', function () {
  this.timeout(90_000);
  let focused = '';

  before(() => {
    focused = writeFocusedSuite();
  });

  after(() => {
    rmSync(focused, { recursive: true, force: true });
  });

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

    it('should give a reporter that walks runner.suite at the end the tree of serial mocha', async () => {
      const reporter = fixture('treeReporter.js');
      for (const extra of [[], ['--grep', 'passes', '--invert']]) {
        const args = [fixture('mixed'), '--reporter', reporter, ...extra];
        const [ours, theirs] = await Promise.all([
          rxpulsarTest([...args, '-w', '2']),
          serialMocha(args),
        ]);
        expect(ours.stdout).to.contain('test "never runs" not run');
        expect(ours.stdout.slice(ours.stdout.indexOf('TREE'))).to.equal(
          theirs.stdout.slice(theirs.stdout.indexOf('TREE')),
        );
      }
    });

    it('should write the mochawesome report (8.1.1) of serial mocha', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-mochawesome-'));
      try {
        const args = (to: string): string[] => [
          fixture('mixed'),
          '--reporter',
          'mochawesome',
          '--reporter-option',
          `reportDir=${join(dir, to)},html=false,consoleReporter=none,quiet=true`,
        ];
        await Promise.all([
          rxpulsarTest([...args('ours'), '-w', '2']),
          serialMocha(args('theirs')),
        ]);
        const report = (to: string): string =>
          normalizeMochawesome(readFileSync(join(dir, to, 'mochawesome.json'), 'utf8'));
        expect(report('ours'))
          .to.contain('"skipped": true')
          .and.contain('TypeError: still failing');
        expect(report('ours')).to.equal(report('theirs'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

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

    it('should report a test as it ends, while its file still runs (live, not buffered per file)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-live-'));
      try {
        const flag = join(dir, 'flag');
        // The second test waits until the spec saw the first one reported.
        writeFileSync(
          join(dir, 'live.spec.mjs'),
          "import { existsSync } from 'node:fs';\n" +
            "describe('live', () => {\n" +
            "  it('first', () => {});\n" +
            "  it('second', async function () { this.timeout(30000);\n" +
            '    while (!existsSync(process.env.RXPULSAR_LIVE_FLAG)) await new Promise((r) => setTimeout(r, 20)); });\n' +
            '});\n',
        );
        const child = startTest([dir, '-w', '1', '--no-durations'], { RXPULSAR_LIVE_FLAG: flag });
        const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
        let stdout = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('✔ first')) writeFileSync(flag, '');
        });
        expect(await exited).to.equal(0);
        expect(stdout).to.contain('✔ first').and.contain('✔ second');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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
      const args = [focused, '--reporter', 'spec'];
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([...args, '-w', '2']),
        serialMocha(args),
      ]);
      expect(ours.code).to.equal(0);
      expect(ours.stdout).to.contain('3 passing').and.not.contain('three');
      expect(normalizeReport('spec', ours.stdout)).to.equal(normalizeReport('spec', theirs.stdout));
    });

    it('should apply --grep and --invert across files', async () => {
      const args = [focused, '--grep', 'grep-me', '--invert'];
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
        /"hangs blocks the event loop" in \S+hangs\.test\.js ran past its timeout \(300 ms\)/,
      );
      expect(stdout).to.contain('Uncaught error outside test suite').and.contain('broken at load');
      expect(stdout).to.contain('✔ still passes 3');
    });

    it('should follow a timeout a test sets in its own body, as mocha does', async () => {
      // --timeout 500: without the test's this.timeout(10000) its worker
      // would count as hung 1.75 s in (timeout and grace), before it ends.
      const { code, stdout } = await rxpulsarTest([
        fixture('longer'),
        '-w',
        '1',
        '--timeout',
        '500',
      ]);
      expect(stdout).to.contain('1 passing').and.not.contain('failing');
      expect(code).to.equal(0);
    });

    it('should fail a test that runs its worker out of memory, and go on', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-oom-'));
      try {
        writeFileSync(
          join(dir, 'hog.spec.mjs'),
          "describe('memory', () => { it('runs out', function () { this.timeout(0); const hog = [];" +
            ' for (;;) hog.push(new Array(1e6).fill(Math.random())); }); });\n',
        );
        writeFileSync(
          join(dir, 'zz.spec.mjs'),
          "describe('after', () => { it('still runs', () => {}); });\n",
        );
        // A small heap for every process of the run: the hog reaches it at once.
        const { code, stdout } = await rxpulsarTest([
          dir,
          '-w',
          '1',
          '--node-option',
          'max-old-space-size=96',
        ]);
        expect(code, stdout).to.equal(1);
        expect(stdout).to.match(
          /worker process \d+ exited \(signal SIGABRT\) while running "memory runs out"/,
        );
        expect(stdout).to.contain('✔ still runs');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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

  describe('hooks and loaders', () => {
    it('should run global fixtures once in the main process, root hooks and --file files in every worker', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-fixtures-'));
      try {
        const log = join(dir, 'log.txt');
        const hooks = fixture('hooks');
        const { code, stdout } = await rxpulsarTest(
          [
            join(hooks, 'first.test.js'),
            join(hooks, 'second.test.js'),
            '--require',
            join(hooks, 'fixtures.js'),
            '--file',
            join(hooks, 'setup.js'),
            '-w',
            '2',
          ],
          { RXPULSAR_FIXTURE_LOG: log },
        );
        expect(code, stdout).to.equal(0);
        const lines = readFileSync(log, 'utf8').trim().split('\n');
        const pids = (what: string): string[] =>
          lines.filter((l) => l.startsWith(`${what} `)).map((l) => l.split(' ')[1]!);
        expect(pids('global-setup')).to.have.length(1);
        expect(pids('global-teardown')).to.deep.equal(pids('global-setup'));
        expect(pids('root-before-all')).to.have.length(2);
        expect(pids('root-before-all')).to.not.include(pids('global-setup')[0]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should run CommonJS and ES module specs, each loaded afresh', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-modules-'));
      try {
        writeFileSync(
          join(dir, 'common.spec.cjs'),
          "const assert = require('node:assert');\n" +
            "describe('common', () => { it('requires', () => assert.ok(require.main !== undefined || true)); });\n",
        );
        writeFileSync(
          join(dir, 'module.spec.mjs'),
          "import assert from 'node:assert';\n" +
            `describe('module', () => { it('imports', () => assert.ok(import.meta.url)); it.${FOCUS}('is focused', () => undefined); });\n`,
        );
        const { code, stdout } = await rxpulsarTest([dir, '-w', '1']);
        expect(code, stdout).to.equal(0);
        // The .only pass loaded module.spec.mjs once already: the run loads it again.
        expect(stdout).to.contain('✔ is focused').and.contain('1 passing');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should run TypeScript specs under a loader given with --node-option', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-ts-'));
      try {
        const spec = join(dir, 'typed.spec.ts');
        writeFileSync(
          spec,
          'const double = (n: number): number => n * 2;\n' +
            "describe('typed', () => { it('doubles', () => { if (double(2) !== 4) throw new Error('no'); }); });\n",
        );
        const { code, stdout } = await rxpulsarTest([
          spec,
          '--node-option',
          'import=tsx',
          '-w',
          '1',
        ]);
        expect(code, stdout).to.equal(0);
        expect(stdout).to.contain('✔ doubles');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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
        const { code } = await rxpulsarTest([focused, '--durations', cache, '-w', '2']);
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

    it('should keep the whole time of a first file, begun in its runner before its worker was up', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-durations-'));
      try {
        const cache = join(dir, 'durations.json');
        // 10 tests of 150 ms: at least 1.5 s in its runner.
        const file = join(fixture('slow'), 'a.test.js');
        const { code } = await rxpulsarTest([file, '--durations', cache, '-w', '1']);
        expect(code).to.equal(0);
        const durations = JSON.parse(readFileSync(cache, 'utf8')) as Record<string, number>;
        expect(Object.values(durations)).to.have.length(1);
        expect(Object.values(durations)[0]).to.be.at.least(1500);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("should refuse a reporter it cannot load with mocha's message and exit code", async () => {
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([focused, '--reporter', 'no-such-reporter']),
        serialMocha([focused, '--reporter', 'no-such-reporter']),
      ]);
      expect(ours.code).to.equal(theirs.code).and.equal(1);
      expect(ours.stderr).to.contain('Could not load reporter "no-such-reporter"');
    });

    it('should treat an unknown option as mocha 12 does (it is ignored)', async () => {
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([focused, '--no-such-option']),
        serialMocha([focused, '--no-such-option']),
      ]);
      expect(ours.code).to.equal(theirs.code).and.equal(0);
      expect(ours.stdout).to.contain('3 passing');
    });

    it("should refuse bad usage with mocha's message and exit code", async () => {
      const [ours, theirs] = await Promise.all([
        rxpulsarTest([focused, '--invert']),
        serialMocha([focused, '--invert']),
      ]);
      expect(ours.code).to.equal(theirs.code).and.equal(1);
      expect(ours.stderr).to.contain(
        '"--invert" requires one of "--fgrep <str>" or "--grep <regexp>"',
      );
    });

    it('should run with --metrics HOST:PORT, and refuse a bad address in one line', async () => {
      const ok = await rxpulsarTest([focused, '--metrics', '127.0.0.1:0', '-w', '1']);
      expect(ok.code).to.equal(0);
      const bad = await rxpulsarTest([focused, '--metrics', 'nowhere']);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain('rxpulsar test: --metrics needs HOST:PORT, not "nowhere"');
    });

    it('should print its usage with --help', async () => {
      const { code, stdout } = await rxpulsarTest(['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.contain('Usage: rxpulsar test').and.contain('--workers');
    });
  });
});
