import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ImproperlyConfiguredError, TestSuite, type TestEvent } from '../../../lib/index.js';
import { fixture, writeFocusedSuite } from '../../support/testCli.js';

describe('TestSuite', function () {
  this.timeout(60_000);
  let focused = '';

  before(() => {
    focused = writeFocusedSuite();
  });

  after(() => {
    rmSync(focused, { recursive: true, force: true });
  });

  describe('run()', () => {
    it('should run the spec files on worker processes and resolve with mocha stats', async () => {
      const suite = new TestSuite({
        spec: [focused],
        workers: 2,
        reporter: 'base',
        durations: false,
      });
      const { failures, stats, interrupted } = await suite.run();
      expect(failures).to.equal(0);
      expect(interrupted).to.equal(false);
      expect(stats).to.include({ passes: 3, failures: 0, tests: 3 });
    });

    it('should serve its process runners from the main thread (no worker actor) and replace one that dies with a worker actor of the pool', async () => {
      const crash = fixture('crash');
      const suite = new TestSuite({
        spec: [join(crash, 'killed.test.js'), join(crash, 'fine.test.js')],
        workers: 1,
        reporter: 'base',
        durations: false,
        logLevel: 'error',
      });
      // Worker actors of the pool when each file's tests passed or failed.
      const actors: Record<string, number[]> = {};
      suite.events$.subscribe(({ name, file }) => {
        if (name !== 'pass' && name !== 'fail') return;
        (actors[file!.split('/').pop()!] ??= []).push(suite.monitor!.managedActors.length);
      });
      const { failures, stats } = await suite.run();
      expect(failures).to.equal(1);
      expect(stats).to.include({ passes: 3, failures: 1 });
      // The first file ran on the prestarted runner, read by this thread; its
      // runner died, so the second ran on a worker actor spawned for it.
      expect(actors).to.deep.equal({ 'killed.test.js': [0], 'fine.test.js': [1, 1, 1] });
    });

    it('should not replace a runner that dies once no file is left to give (its worker would boot for nothing)', async () => {
      const crash = fixture('crash');
      const suite = new TestSuite({
        spec: [join(crash, 'fine.test.js'), join(crash, 'killed.test.js')],
        workers: 2,
        reporter: 'base',
        durations: false,
        logLevel: 'error',
      });
      // The pool's size when the run ends: each runner had its one file, none waits.
      let size = -1;
      suite.events$.subscribe({ complete: () => (size = suite.monitor!.workers) });
      const { failures } = await suite.run();
      expect(failures).to.equal(1);
      expect(size).to.equal(0);
    });

    it('should run them on worker threads with concurrency thread', async () => {
      const suite = new TestSuite({
        spec: [join(fixture('crash'), 'fine.test.js'), join(fixture('crash'), 'exits.test.js')],
        workers: 2,
        concurrency: 'thread',
        reporter: 'base',
        durations: false,
      });
      const { failures, stats } = await suite.run();
      expect(failures).to.equal(1);
      expect(stats).to.include({ passes: 4, failures: 1 });
    });
    it('should run a file sent ahead to a busy worker on a worker that became idle', async () => {
      // "a" waits for "b" and "c" to run: whichever of them was sent ahead to
      // a's worker, queued behind it, must be taken back by the other worker.
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-ahead-'));
      try {
        const marker = (name: string): string => JSON.stringify(join(dir, `${name}.ran`));
        writeFileSync(
          join(dir, 'a.spec.mjs'),
          "import { existsSync } from 'node:fs';\n" +
            "describe('a', () => { it('waits for b and c', async function () { this.timeout(30000);\n" +
            `  while (!existsSync(${marker('b')}) || !existsSync(${marker('c')}))\n` +
            '    await new Promise((resolve) => setTimeout(resolve, 20)); }); });\n',
        );
        for (const name of ['b', 'c']) {
          writeFileSync(
            join(dir, `${name}.spec.mjs`),
            "import { writeFileSync } from 'node:fs';\n" +
              `describe('${name}', () => { it('runs', () => writeFileSync(${marker(name)}, '')); });\n`,
          );
        }
        const suite = new TestSuite({
          spec: [dir],
          workers: 2,
          reporter: 'base',
          durations: false,
        });
        const { failures, stats } = await suite.run();
        expect(failures).to.equal(0);
        expect(stats).to.include({ passes: 3, tests: 3 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('crash isolation', () => {
    it("should name the test whose runner died when the arbiter's loop stalled past its hang deadline", async () => {
      // The test's event comes in, then this thread (the arbiter's) blocks
      // for longer than the test's timeout and grace while the runner dies
      // on its own: the exit, waiting behind the stall, is what happened,
      // not a hang of the test.
      const suite = new TestSuite({
        spec: [join(fixture('crashLate'), 'dies.test.js')],
        workers: 1,
        reporter: 'base',
        durations: false,
        timeout: 1000,
      });
      const events: TestEvent[] = [];
      suite.events$.subscribe((e) => {
        events.push(e);
        if (e.name !== 'test') return;
        setTimeout(() => {
          const until = Date.now() + 4000;
          while (Date.now() < until) {
            // The arbiter's loop is stalled (a busy machine, a long GC).
          }
        }, 50);
      });
      const { failures } = await suite.run();
      expect(failures).to.equal(1);
      const fail = events.find((e) => e.name === 'fail')!;
      expect((fail.error as Error).message).to.match(
        /^worker process \d+ exited \(signal SIGKILL\) while running "late dies after a while" in \S+dies\.test\.js$/,
      );
    });

    it("should still find a hung test when the arbiter's loop is late at every tick", async () => {
      const suite = new TestSuite({
        spec: [join(fixture('crash'), 'hangs.test.js')],
        workers: 1,
        reporter: 'base',
        durations: false,
      });
      const events: TestEvent[] = [];
      suite.events$.subscribe((e) => events.push(e));
      // This thread (the arbiter's) is busy 400 ms out of every 450.
      const busy = setInterval(() => {
        const until = Date.now() + 400;
        while (Date.now() < until) {
          // A reporter, a GC, a machine too busy to run this thread.
        }
      }, 50);
      try {
        expect((await suite.run()).failures).to.equal(1);
      } finally {
        clearInterval(busy);
      }
      const fail = events.find((e) => e.name === 'fail')!;
      expect((fail.error as Error).message).to.match(
        /"hangs blocks the event loop" in \S+hangs\.test\.js ran past its timeout \(300 ms\)/,
      );
    });
  });

  describe('start()', () => {
    it('should refuse a pool of no worker, before any starts', async () => {
      const suite = new TestSuite({ spec: [focused], workers: 0, reporter: 'base' });
      let error: unknown;
      try {
        await suite.run();
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ImproperlyConfiguredError);
      expect(String(error)).to.contain('at least 1 worker');
    });
  });

  describe('events$', () => {
    it("should emit mocha's events in order, with objects reporters need, and complete", async () => {
      const suite = new TestSuite({
        spec: [join(focused, 'three.test.js')],
        workers: 1,
        reporter: 'base',
        durations: false,
      });
      const events: TestEvent[] = [];
      let completed = false;
      suite.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
      await suite.run();
      expect(completed).to.equal(true);
      expect(events.map((e) => e.name)).to.deep.equal([
        'start',
        'suite',
        'suite',
        'test',
        'pass',
        'test end',
        'test',
        'pass',
        'test end',
        'suite end',
        'suite end',
        'end',
      ]);
      const pass = events.find((e) => e.name === 'pass')!;
      const test = pass.data as { fullTitle(): string; titlePath(): string[]; slow(): number };
      expect(test.fullTitle()).to.equal('three f');
      expect(test.titlePath()).to.deep.equal(['three', 'f']);
      expect(test.slow()).to.equal(75);
      expect(pass.file).to.match(/three\.test\.js$/);
    });

    it('should carry the error of a failure with its diff fields', async () => {
      const suite = new TestSuite({
        spec: [join(fixture('mixed'), 'alpha.test.js')],
        workers: 1,
        reporter: 'base',
        durations: false,
        grep: 'compares objects',
      });
      const events: TestEvent[] = [];
      suite.events$.subscribe((e) => events.push(e));
      const { failures } = await suite.run();
      expect(failures).to.equal(1);
      const fail = events.find((e) => e.name === 'fail')!;
      const error = fail.error as Error & { actual: unknown; expected: unknown; operator: string };
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal('AssertionError');
      // As in a serial run, the reporter (Base) turned them into the text it diffs.
      expect(error.actual).to.equal('{\n  "a": 1\n  "b": [\n    1\n    2\n  ]\n}');
      expect(error.expected).to.equal('{\n  "a": 1\n  "b": [\n    1\n    3\n  ]\n}');
      expect(error.operator).to.equal('deepStrictEqual');
      expect((fail.data as { fullTitle(): string }).fullTitle()).to.equal('alpha compares objects');
    });
  });
});
