import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PrestartedRunners } from '../../../lib/apps/test/PrestartedRunners.js';
import { RunnerHandle, type RunnerExit } from '../../../lib/apps/test/RunnerHandle.js';
import { runnerLog, type FileJob } from '../../../lib/apps/test/wire.js';
import { MAX_SOCKET_PATH } from '../../../lib/util/maxSocketPath.js';
import { longFolder, withTmpdir } from '../../support/longTmpdir.js';
import { fixture, startTest } from '../../support/testCli.js';
import { alive, waitFor } from '../../support/waiting.js';

const job = (file: string): FileJob => ({
  id: 1,
  file: join(fixture('crash'), file),
  setupFiles: [],
  options: {},
});

/** The orphan reaper of the process `pid` (Linux: /proc), if it runs. */
function reaperOf(pid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv0 = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0];
      if (ppid === pid && argv0 === 'rxpulsar: reaper') return Number(name);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** Wait until `check` holds (30 s at most). */
const until = (check: () => boolean, what: string): Promise<void> => waitFor(check, 30_000, what);

/** A worker's side of a prestarted runner: the events it relays, and its runner's exit. */
function adopt(
  runners: PrestartedRunners,
  ids = [1],
): {
  handle: RunnerHandle;
  events: string[];
  exit: Promise<RunnerExit>;
} {
  const events: string[] = [];
  let ended!: (exit: RunnerExit) => void;
  const exit = new Promise<RunnerExit>((resolve) => (ended = resolve));
  const handle = new RunnerHandle('process', (json) => events.push(json), ended, undefined, true);
  const given = runners.take((how) => handle.remoteExited(how));
  expect([given?.job?.id, given?.ahead?.id].filter((id) => id !== undefined)).to.deep.equal(ids);
  expect(handle.adopt(given!.path, given!.pid)).to.equal(true);
  return { handle, events, exit };
}

/**
 * Run `body` with one prestarted runner; `adoptIt` is {@link adopt} on it,
 * whose handle is closed after `body`, before the runners.
 */
async function withRunner(
  body: (
    runners: PrestartedRunners,
    adoptIt: (ids?: number[]) => ReturnType<typeof adopt>,
  ) => Promise<void>,
): Promise<void> {
  const runners = PrestartedRunners.start(1);
  let handle: RunnerHandle | undefined;
  try {
    await body(runners, (ids) => {
      const worker = adopt(runners, ids);
      handle = worker.handle;
      return worker;
    });
  } finally {
    await handle?.close();
    await runners.close();
  }
}

describe('PrestartedRunners', function () {
  this.timeout(60_000);

  describe('dispatch()', () => {
    it('should run a first file before any worker connects, its worker getting its events first', async () => {
      await withRunner(async (runners, adoptIt) => {
        runners.dispatch([job('fine.test.js')]);
        expect(runners.dispatched.map((j) => j.id)).to.deep.equal([1]);
        // The whole file ran with no worker: its events are in the runner's log.
        const log = runnerLog(join(runners['dir'], '0.sock'));
        await until(
          () => existsSync(log) && readFileSync(log, 'utf8').includes('"file end"'),
          'the file to end',
        );
        const worker = adoptIt();
        await until(() => worker.events.some((e) => e.includes('"file end"')), 'its events');
        const passes = worker.events.join('\n').match(/"name":"pass"/g) ?? [];
        expect(passes).to.have.length(3);
        expect(worker.events[0]).to.match(/^\[1,/);
      });
    });

    it('should run the file held ahead after the first one, before any worker connects, and give both to its worker', async () => {
      await withRunner(async (runners, adoptIt) => {
        const second = { ...job('broken.test.js'), id: 2 };
        runners.dispatch([job('fine.test.js'), second]);
        expect(runners.dispatched.map((j) => j.id)).to.deep.equal([1, 2]);
        const log = runnerLog(join(runners['dir'], '0.sock'));
        await until(
          () => existsSync(log) && /^\[2,.*"file end"/m.test(readFileSync(log, 'utf8')),
          'the second file to end',
        );
        const worker = adoptIt([1, 2]);
        await until(
          () => worker.events.some((e) => e.startsWith('[2,') && e.includes('"file end"')),
          'its events',
        );
        // The first file's events, then the second's (a load error), in that order.
        const ids = worker.events.map((e) => Number(e.slice(1, e.indexOf(','))));
        expect(ids).to.deep.equal([...ids].sort());
        expect(worker.events.join('\n')).to.include('broken at load');
      });
    });

    it("should give a runner that died on its first file to a worker, which names the test from the runner's log", async () => {
      await withRunner(async (runners, adoptIt) => {
        runners.dispatch([job('killed.test.js')]);
        const entry = (runners['all'] as { exit?: RunnerExit }[])[0]!;
        await until(() => entry.exit !== undefined, 'the runner to die');
        // Dead before any worker: given all the same, with its job.
        const worker = adoptIt();
        const exit = await worker.exit;
        expect(exit).to.include({ kind: 'process', signal: 'SIGKILL', killed: false });
        const told = worker.events.join('\n');
        expect(told).to.include('"name":"test"');
        expect(told).to.include('kills its worker');
      });
    });

    it('should tell a worker the first file whole and the test of the file held ahead that killed its runner, before any worker connected', async () => {
      await withRunner(async (runners, adoptIt) => {
        runners.dispatch([job('fine.test.js'), { ...job('killed.test.js'), id: 2 }]);
        const entry = (runners['all'] as { exit?: RunnerExit }[])[0]!;
        await until(() => entry.exit !== undefined, 'the runner to die');
        const worker = adoptIt([1, 2]);
        const exit = await worker.exit;
        expect(exit).to.include({ kind: 'process', signal: 'SIGKILL', killed: false });
        // The first file ended (its run is whole); the second died in its test.
        const first = worker.events.filter((e) => e.startsWith('[1,')).join('\n');
        expect(first).to.include('"file end"');
        const second = worker.events.filter((e) => e.startsWith('[2,')).join('\n');
        expect(second).to.include('kills its worker').and.not.include('"file end"');
      });
    });

    it('should tell the test a runner is in when it hangs in its first file and cannot answer its worker', async () => {
      await withRunner(async (runners, adoptIt) => {
        runners.dispatch([job('hangs.test.js')]);
        const worker = adoptIt();
        await until(
          () => worker.events.some((e) => e.includes('"name":"test"')),
          'the test it is in',
        );
        expect(worker.events.join('\n')).to.include('blocks the event loop');
      });
    });
  });

  describe('start()', () => {
    it('should fork no runner when its socket paths are over the limit (a long TMPDIR), and leave nothing', async () => {
      // Node would bind each cut short: here, a socket file beside the runners' folder.
      const folder = longFolder(MAX_SOCKET_PATH - 20);
      try {
        const runners = await withTmpdir(folder.path, () =>
          Promise.resolve(PrestartedRunners.start(2)),
        );
        expect(runners.available).to.equal(0);
        await runners.close();
        expect(readdirSync(folder.path)).to.deep.equal([]);
      } finally {
        folder.remove();
      }
    });

    it("should fork them all when the longest path, the application's control socket, is just within the limit", async () => {
      // `<T>/rxpulsar-<pid>-XXXXXX/control.sock` at the limit; the runners'
      // `<T>/rxpulsar-<pid>-rxpt-XXXXXX/9.sock` one byte shorter.
      const control = `/rxpulsar-${process.pid}-XXXXXX/control.sock`.length;
      const folder = longFolder(MAX_SOCKET_PATH - control);
      try {
        const runners = await withTmpdir(folder.path, () =>
          Promise.resolve(PrestartedRunners.start(10)),
        );
        const paths = [...Array(10).keys()].map(() => runners.take(() => undefined)?.path);
        await runners.close();
        expect(paths.map((path) => Buffer.byteLength(path ?? ''))).to.include(MAX_SOCKET_PATH - 1);
        expect(paths.filter((path) => path === undefined)).to.deep.equal([]);
        expect(readdirSync(folder.path)).to.deep.equal([]);
      } finally {
        folder.remove();
      }
    });

    it("should fork no runner when their sockets fit but the application's control socket would not (it boots at the start then)", async () => {
      // `<T>/rxpulsar-<pid>-XXXXXX/control.sock` one byte over the limit;
      // the runners' `<T>/rxpulsar-<pid>-rxpt-XXXXXX/<i>.sock` one byte shorter: at it.
      const control = `/rxpulsar-${process.pid}-XXXXXX/control.sock`.length;
      const folder = longFolder(MAX_SOCKET_PATH + 1 - control);
      try {
        const runners = await withTmpdir(folder.path, () =>
          Promise.resolve(PrestartedRunners.start(2)),
        );
        const dir = runners['dir'];
        expect(Buffer.byteLength(join(dir, '2.sock'))).to.equal(MAX_SOCKET_PATH);
        expect(runners.available).to.equal(0);
        await runners.close();
        expect(readdirSync(folder.path)).to.deep.equal([]);
      } finally {
        folder.remove();
      }
    });

    it("should have its runners killed and their folder removed when this process is killed (SIGKILL) while a runner's test spins", async () => {
      // The runner's loop never turns: it does not hear its IPC channel close.
      const dir = mkdtempSync(join(tmpdir(), 'rxp-spin-'));
      const tmp = join(dir, 'tmp');
      mkdirSync(tmp);
      const mark = join(dir, 'spinning');
      const file = join(dir, 'spin.test.js');
      writeFileSync(
        file,
        `describe('spin', function () {
  it('spins', function () {
    this.timeout(0);
    require('node:fs').writeFileSync(process.env.RXP_SPIN_MARK, String(process.pid));
    for (;;) {}
  });
});
`,
      );
      // The command line's runners (the command only forks them there).
      const command = startTest([file], { TMPDIR: tmp, RXP_SPIN_MARK: mark });
      const exited = new Promise((resolve) => command.once('exit', resolve));
      let runner: number | undefined;
      try {
        await waitFor(() => existsSync(mark), 30_000, 'the test spinning');
        runner = Number(readFileSync(mark, 'utf8'));
        const folders = (): string[] =>
          readdirSync(tmp).filter((name) => name.startsWith(`rxpulsar-${command.pid}-rxpt-`));
        expect(folders()).to.have.length(1);
        // Watched after a second of the run.
        await waitFor(() => reaperOf(command.pid!) !== undefined, 30_000, 'its reaper');
        command.kill('SIGKILL');
        await exited;
        await waitFor(() => !alive(runner), 30_000, 'the orphaned runner to end');
        await waitFor(() => folders().length === 0, 30_000, "the runners' folder removed");
      } finally {
        command.kill('SIGKILL');
        if (alive(runner)) process.kill(runner!, 'SIGKILL');
        await exited;
        await waitFor(() => !alive(runner), 30_000, 'the runner killed');
        command.stdout!.destroy();
        command.stderr!.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('take()', () => {
    it('should skip a runner that died with no job', async () => {
      const runners = PrestartedRunners.start(1);
      try {
        const entry = (runners['all'] as { pid: number; exit?: RunnerExit }[])[0]!;
        runners.kill(entry.pid);
        await until(() => entry.exit !== undefined, 'the runner to die');
        expect(runners.take(() => undefined)).to.equal(undefined);
      } finally {
        await runners.close();
      }
    });
  });
});
