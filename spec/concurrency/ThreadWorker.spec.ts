import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { ThreadWorker } from '../../lib/concurrency/ThreadWorker.js';
import type { ExitInfo, WorkerHandle } from '../../lib/concurrency/WorkerHandle.js';
import type { RawData } from '../fixtures/raw/childData.js';
import { exitContract } from '../support/exitContract.js';
import { within } from '../support/waiting.js';

const fixture = (name: string): URL => new URL(`../fixtures/raw/${name}.js`, import.meta.url);

/** A flag a thread sets (with `Atomics`) once it is ready. */
const newFlag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));

/** Wait until `flag` is set, polling, without blocking this thread's event loop. */
async function ready(flag: Int32Array, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Atomics.load(flag, 0) !== 1) {
    if (Date.now() > deadline) throw new Error(`the thread did not get ready within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ThreadWorker', function () {
  this.timeout(10_000);
  const workers: ThreadWorker[] = [];

  /** A worker terminated after the test, whatever happens. */
  function start(name: string, data: RawData = {}, env?: Record<string, string>): ThreadWorker {
    const worker = new ThreadWorker({ entry: fixture(name), data, name, env });
    workers.push(worker);
    return worker;
  }

  const exitOf = (worker: WorkerHandle): Promise<ExitInfo> =>
    within(
      new Promise<ExitInfo>((resolve) => worker.exit$.subscribe(resolve)),
      5000,
      'the thread did not exit',
    );

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.kill();
      await exitOf(worker);
    }
  });

  describe('constructor', () => {
    it('should start a thread of this process', () => {
      const worker = start('hang');
      expect(worker.kind).to.equal('thread');
      expect(worker.pid).to.equal(process.pid);
      expect(worker.threadId).to.be.a('number').greaterThan(0);
      expect(worker.exited).to.equal(false);
    });

    it('should hand the data to the thread as its workerData', async () => {
      const worker = start('exit-with', { exitCode: 3 });
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 3, signal: null });
    });

    it('should add options.env to the environment of the thread', async () => {
      const worker = start('exit-with', { exitCodeFrom: 'RAW_EXIT_CODE' }, { RAW_EXIT_CODE: '42' });
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 42, signal: null });
      expect(process.env['RAW_EXIT_CODE']).to.equal(undefined);
    });

    it('should accept the entry as a path', async () => {
      const worker = new ThreadWorker({
        entry: fileURLToPath(fixture('exit-with')),
        data: { exitCode: 7 },
        name: 'by-path',
      });
      workers.push(worker);
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 7, signal: null });
    });

    it('should report an uncaught error as an exit with code 1, not as an error here', async () => {
      const worker = start('throw-error');
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 1, signal: null });
    });
  });

  describe('exit$', () => {
    exitContract((name, data) => start(name, data), 'thread');
  });

  describe('ending$', () => {
    /** What the worker reported, in order. */
    function record(worker: ThreadWorker): string[] {
      const seen: string[] = [];
      worker.ending$.subscribe((e) => seen.push(`ending ${e.exitCode}`));
      worker.exit$.subscribe((e) => seen.push(`exit ${e.exitCode}`));
      return seen;
    }

    it('should emit as soon as the thread is being terminated, before its exit', async () => {
      const flag = newFlag();
      const worker = start('hang', { flag });
      await ready(flag);
      const seen = record(worker);
      worker.kill();
      expect(seen).to.deep.equal(['ending 1']);
      await exitOf(worker);
      expect(seen).to.deep.equal(['ending 1', 'exit 1']);
    });

    it('should emit when the thread throws, before its exit', async () => {
      const worker = start('throw-error');
      const seen = record(worker);
      await exitOf(worker);
      expect(seen).to.deep.equal(['ending 1', 'exit 1']);
    });

    it('should emit the exit of a thread that ends by itself, once', async () => {
      const worker = start('exit-with', { exitCode: 3 });
      const seen = record(worker);
      await exitOf(worker);
      worker.kill();
      expect(seen).to.deep.equal(['ending 3', 'exit 3']);
    });
  });

  describe('kill()', () => {
    it('should terminate a thread stuck in an endless loop', async () => {
      const flag = newFlag();
      const worker = start('busy-loop', { flag });
      await ready(flag);
      worker.kill();
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 1, signal: null });
      expect(worker.exited).to.equal(true);
    });

    it('should terminate the thread whatever the signal', async () => {
      const flag = newFlag();
      const worker: WorkerHandle = start('hang', { flag });
      await ready(flag);
      worker.kill('SIGTERM');
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 1, signal: null });
    });

    it('should end a thread that is still starting', async () => {
      const worker = start('hang');
      worker.kill();
      const exit = await exitOf(worker);
      expect(exit.signal).to.equal(null);
      expect(exit.exitCode).to.be.a('number');
      expect(worker.exited).to.equal(true);
    });

    it('should do nothing once the thread has exited', async () => {
      const worker = start('exit-with', { exitCode: 0 });
      await exitOf(worker);
      expect(() => worker.kill()).not.to.throw();
    });
  });

  describe('terminate()', () => {
    it('should end a busy thread and resolve after exit$ emitted', async () => {
      const flag = newFlag();
      const worker = start('busy-loop', { flag });
      await ready(flag);
      const order: string[] = [];
      worker.exit$.subscribe(() => order.push('exit$'));
      const info = await within(worker.terminate(), 5000, 'terminate() did not resolve');
      order.push('resolved');
      expect(info).to.deep.equal({ exitCode: 1, signal: null });
      expect(order).to.deep.equal(['exit$', 'resolved']);
      expect(worker.exited).to.equal(true);
    });

    it('should return the exit at once when the thread has exited', async () => {
      const worker = start('exit-with', { exitCode: 4 });
      const exit = await exitOf(worker);
      expect(await worker.terminate()).to.equal(exit);
    });

    it('should resolve every concurrent call with the same exit', async () => {
      const flag = newFlag();
      const worker = start('hang', { flag });
      await ready(flag);
      const [first, second] = await within(
        Promise.all([worker.terminate(), worker.terminate()]),
        5000,
        'terminate() did not resolve',
      );
      expect(first).to.deep.equal({ exitCode: 1, signal: null });
      expect(second).to.equal(first);
    });
  });

  describe('under common Node flags', () => {
    it('should start a thread actor in an arbiter run with process-wide flags', async () => {
      const script = fileURLToPath(
        new URL('../fixtures/actors/arbiter-script.js', import.meta.url),
      );
      const flags = [
        '--max-old-space-size=200',
        '--expose-gc',
        '--enable-source-maps',
        '--stack-size=2000',
      ];
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [...flags, script], { timeout: 20_000 }, (err, out, errOut) =>
          err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
        );
      });
      expect(JSON.parse(stdout)).to.deep.equal(['pong', 'pong']);
    });
  });
});
