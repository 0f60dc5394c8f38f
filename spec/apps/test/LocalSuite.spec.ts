import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LocalSuite } from '../../../lib/apps/test/LocalSuite.js';
import { planRun } from '../../../lib/apps/test/planRun.js';
import { PrestartedRunners } from '../../../lib/apps/test/PrestartedRunners.js';
import { registryDir } from '../../../lib/control/arbiterRegistry.js';
import { MAX_SOCKET_PATH } from '../../../lib/util/maxSocketPath.js';
import { staticImports } from '../../support/importGraph.js';
import { longFolder, withTmpdir } from '../../support/longTmpdir.js';
import { fixture, writeFocusedSuite } from '../../support/testCli.js';

/** The runtime files (`dist/lib/runtime*.js`) among the modules `module` loads statically. */
function runtimeFiles(module: string): string[] {
  const loaded = staticImports(new URL(`../../../lib/${module}`, import.meta.url));
  return loaded.filter((path) => /^runtime(-\w+)?\.js$/.test(path)).sort();
}

/** Prestarted runners for a run of `spec`, given their first files, as the command line gives them. */
function runnersFor(spec: string[], workers: number): PrestartedRunners {
  const runners = PrestartedRunners.start(workers);
  runners.begin(planRun({ spec, reporter: 'base' }, false), workers);
  return runners;
}

describe('LocalSuite', function () {
  this.timeout(60_000);

  describe('import', () => {
    it('should load neither runtime.js nor runtime-lib.js: the command forks its runners with runtime-test.js, and runs with runtime-suite.js', () => {
      // The command line and what it loads before forking the runners.
      expect(runtimeFiles('cli/main.js')).to.deep.equal([]);
      expect(runtimeFiles('cli/testCommand.js')).to.deep.equal(['runtime-test.js']);
      expect(runtimeFiles('apps/test/LocalSuite.js')).to.deep.equal([
        'runtime-suite.js',
        'runtime-test.js',
      ]);
    });
  });

  describe('run()', () => {
    it('should run the files on the prestarted runners with no application booted', async () => {
      const focused = writeFocusedSuite();
      try {
        const runners = runnersFor([focused], 2);
        const suite = new LocalSuite({ reporter: 'base', workers: 2, durations: false }, runners);
        const { failures, stats, interrupted } = await suite.run();
        expect({ failures, interrupted }).to.deep.equal({ failures: 0, interrupted: false });
        expect(stats).to.include({ passes: 3, tests: 3 });
        expect(suite.booted).to.equal(false);
      } finally {
        rmSync(focused, { recursive: true, force: true });
      }
    });

    it("should fork the runners missing from those forked early (workers or files from mocha's config), with no application booted", async () => {
      const mixed = fixture('mixed');
      const spec = ['alpha', 'beta', 'gamma'].map((name) => join(mixed, `${name}.test.js`));
      // Forked for one worker (the command line counted one), begun with three.
      const runners = PrestartedRunners.start(1);
      runners.begin(planRun({ spec, reporter: 'base' }, false), 3);
      expect(runners.available).to.equal(3);
      const suite = new LocalSuite({ reporter: 'base', workers: 3, durations: false }, runners);
      const { stats, interrupted } = await suite.run();
      expect(interrupted).to.equal(false);
      // The three files ran (mixed/ has failures and pending tests, by design).
      expect(stats).to.include({ suites: 7 });
      expect(suite.booted).to.equal(false);
    });

    it('should boot the suite when its runner is lost, the pool running the files left, and stop it at the end', async () => {
      const crash = fixture('crash');
      const spec = [join(crash, 'killed.test.js'), join(crash, 'fine.test.js')];
      const runners = runnersFor(spec, 1);
      const suite = new LocalSuite(
        { reporter: 'base', workers: 1, durations: false, logLevel: 'error' },
        runners,
      );
      const { failures, stats } = await suite.run();
      expect(failures).to.equal(1);
      // fine.test.js ran on the pool's worker, after killed.test.js killed the runner.
      expect(stats).to.include({ passes: 3, failures: 1 });
      expect(suite.booted).to.equal(true);
      // The arbiter it booted is stopped: unregistered.
      expect(existsSync(join(registryDir(), `${process.pid}.json`))).to.equal(false);
    });

    it('should let the runners still alive run the files left when the suite cannot boot for a runner lost, and throw its error at the end', async () => {
      const crash = fixture('crash');
      const slow = fixture('slow');
      const spec = [
        join(crash, 'killed.test.js'),
        join(crash, 'fine.test.js'),
        ...['a', 'b', 'c'].map((name) => join(slow, `${name}.test.js`)),
      ];
      const runners = runnersFor(spec, 2);
      const report = join(tmpdir(), `rxpulsar-localsuite-${process.pid}.json`);
      const suite = new LocalSuite(
        {
          reporter: 'json',
          reporterOption: { output: report },
          workers: 2,
          durations: false,
          logLevel: 'error',
        },
        runners,
      );
      // The suite boots (killed.test.js kills its runner) in a TMPDIR too long for its sockets.
      const folder = longFolder(MAX_SOCKET_PATH - 20);
      try {
        const failed = await withTmpdir(folder.path, () => suite.run()).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(String(failed)).to.match(/socket path/);
        const { stats } = JSON.parse(readFileSync(report, 'utf8')) as {
          stats: Record<string, number>;
        };
        // The other runner ran every file left: fine (3) and slow a, b, c (10 each).
        expect(stats).to.include({ passes: 33, failures: 1 });
      } finally {
        folder.remove();
        rmSync(report, { force: true });
      }
    });
  });
});
