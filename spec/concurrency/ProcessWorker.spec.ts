import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHILD_DATA_ENV, ProcessWorker } from '../../lib/concurrency/ProcessWorker.js';
import type { ExitInfo } from '../../lib/concurrency/WorkerHandle.js';
import type { RawData } from '../fixtures/raw/childData.js';
import { exitContract } from '../support/exitContract.js';
import { waitFor, within } from '../support/waiting.js';

const fixture = (name: string): URL => new URL(`../fixtures/raw/${name}.js`, import.meta.url);

/** The state letter of a Linux process (`T` when stopped), or `undefined`. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

describe('ProcessWorker', function () {
  // A child's start on a busy machine: its waits are 20 s.
  this.timeout(30_000);
  let dir: string;
  let count = 0;
  const workers: ProcessWorker[] = [];

  /** A worker killed after the test, whatever happens. */
  function start(name: string, data: RawData = {}, env?: Record<string, string>): ProcessWorker {
    const worker = new ProcessWorker({ entry: fixture(name), data, name, env });
    workers.push(worker);
    return worker;
  }

  /** A path the fixture creates once it is ready. */
  const readyFile = (): string => join(dir, `ready-${++count}`);

  const exitOf = (worker: ProcessWorker): Promise<ExitInfo> =>
    within(
      new Promise<ExitInfo>((resolve) => worker.exit$.subscribe(resolve)),
      5000,
      'the child did not exit',
    );

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'process-worker-spec-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.kill('SIGKILL');
      await exitOf(worker);
    }
  });

  describe('constructor', () => {
    it('should start a child process of its own', () => {
      const worker = start('hang');
      expect(worker.kind).to.equal('process');
      expect(worker.pid).to.be.a('number').greaterThan(0).and.not.equal(process.pid);
      expect(worker.threadId).to.equal(undefined);
      expect(worker.exited).to.equal(false);
    });

    it('should hand the data to the child as JSON in RXPULSAR_ACTOR', async () => {
      expect(CHILD_DATA_ENV).to.equal('RXPULSAR_ACTOR');
      const worker = start('exit-with', { exitCode: 3 });
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 3, signal: null });
    });

    it('should add options.env to the environment of the child', async () => {
      const worker = start('exit-with', { exitCodeFrom: 'RAW_EXIT_CODE' }, { RAW_EXIT_CODE: '42' });
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 42, signal: null });
    });

    it('should accept the entry as a path', async () => {
      const worker = new ProcessWorker({
        entry: fileURLToPath(fixture('exit-with')),
        data: { exitCode: 7 },
        name: 'by-path',
      });
      workers.push(worker);
      expect(await exitOf(worker)).to.deep.equal({ exitCode: 7, signal: null });
    });
  });

  describe('exit$', () => {
    exitContract((name, data) => start(name, data), 'child');
  });

  describe('ending$', () => {
    /** What the worker reported, in order. */
    function record(worker: ProcessWorker): string[] {
      const seen: string[] = [];
      worker.ending$.subscribe((e) => seen.push(`ending ${e.exitCode} ${e.signal}`));
      worker.exit$.subscribe((e) => seen.push(`exit ${e.exitCode} ${e.signal}`));
      return seen;
    }

    it('should emit as soon as SIGKILL is sent, before the exit', async () => {
      const worker = start('hang');
      const seen = record(worker);
      worker.kill('SIGKILL');
      expect(seen).to.deep.equal(['ending null SIGKILL']);
      await exitOf(worker);
      expect(seen).to.deep.equal(['ending null SIGKILL', 'exit null SIGKILL']);
    });

    it('should wait for the exit after another signal, which the child may handle', async () => {
      const worker = start('hang');
      const seen = record(worker);
      worker.kill('SIGTERM');
      expect(seen).to.deep.equal([]);
      await exitOf(worker);
      expect(seen).to.deep.equal(['ending null SIGTERM', 'exit null SIGTERM']);
    });
  });

  describe('kill()', () => {
    it('should send SIGKILL by default', async () => {
      const worker = start('hang');
      worker.kill();
      expect(await exitOf(worker)).to.deep.equal({ exitCode: null, signal: 'SIGKILL' });
    });

    it('should send the signal given', async () => {
      const worker = start('hang');
      worker.kill('SIGTERM');
      expect(await exitOf(worker)).to.deep.equal({ exitCode: null, signal: 'SIGTERM' });
    });

    it('should do nothing once the child has exited', async () => {
      const worker = start('exit-with', { exitCode: 0 });
      await exitOf(worker);
      expect(() => worker.kill()).not.to.throw();
      expect(() => worker.kill('SIGTERM')).not.to.throw();
    });
  });

  describe('terminate()', () => {
    it('should end the child with SIGTERM and resolve after exit$ emitted', async () => {
      const worker = start('hang');
      const order: string[] = [];
      worker.exit$.subscribe(() => order.push('exit$'));
      const info = await within(worker.terminate(5000), 5000, 'terminate() did not resolve');
      order.push('resolved');
      expect(info).to.deep.equal({ exitCode: null, signal: 'SIGTERM' });
      expect(order).to.deep.equal(['exit$', 'resolved']);
      expect(worker.exited).to.equal(true);
    });

    it('should escalate to SIGKILL when the child ignores SIGTERM', async () => {
      const ready = readyFile();
      const worker = start('ignore-sigterm', { ready });
      await waitFor(() => existsSync(ready), 20_000, 'the child did not get ready');
      // A grace long enough for its SIGTERM handler to run on a busy machine.
      const info = await within(worker.terminate(2000), 10_000, 'terminate() did not resolve');
      expect(info).to.deep.equal({ exitCode: null, signal: 'SIGKILL' });
      expect(existsSync(`${ready}.sigterm`), 'SIGTERM came first').to.equal(true);
      expect(worker.exited).to.equal(true);
    });

    it('should thaw a frozen child (SIGCONT) so that SIGTERM ends it', async () => {
      const ready = readyFile();
      const worker = start('hang', { ready });
      await waitFor(() => existsSync(ready), 20_000, 'the child did not get ready');
      worker.kill('SIGSTOP');
      if (process.platform === 'linux') {
        await waitFor(() => processState(worker.pid) === 'T', 5000, 'the child did not stop');
      }
      const info = await within(worker.terminate(4000), 5000, 'terminate() did not resolve');
      expect(info, 'SIGTERM ended it, not the SIGKILL after the grace period').to.deep.equal({
        exitCode: null,
        signal: 'SIGTERM',
      });
    });

    it('should end a frozen child that ignores SIGTERM with SIGKILL', async () => {
      const ready = readyFile();
      const worker = start('ignore-sigterm', { ready });
      await waitFor(() => existsSync(ready), 20_000, 'the child did not get ready');
      worker.kill('SIGSTOP');
      const info = await within(worker.terminate(200), 5000, 'terminate() did not resolve');
      expect(info).to.deep.equal({ exitCode: null, signal: 'SIGKILL' });
    });

    it('should return the exit at once when the child has exited', async () => {
      const worker = start('exit-with', { exitCode: 4 });
      const exit = await exitOf(worker);
      expect(await worker.terminate(0)).to.equal(exit);
    });

    it('should resolve every concurrent call with the same exit', async () => {
      const worker = start('hang');
      const [first, second] = await within(
        Promise.all([worker.terminate(5000), worker.terminate(5000)]),
        5000,
        'terminate() did not resolve',
      );
      expect(first).to.deep.equal({ exitCode: null, signal: 'SIGTERM' });
      expect(second).to.equal(first);
    });
  });
});
