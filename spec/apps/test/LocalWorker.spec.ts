import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LocalWorker } from '../../../lib/apps/test/LocalWorker.js';
import { PrestartedRunners } from '../../../lib/apps/test/PrestartedRunners.js';
import { RUN_FILE, runnerLog, type FileJob, type WireEvent } from '../../../lib/apps/test/wire.js';
import { fixture } from '../../support/testCli.js';
import { waitFor } from '../../support/waiting.js';

const job = (id: number, file: string): FileJob => ({
  id,
  file: join(fixture('crash'), file),
  setupFiles: [],
  options: {},
});

/** Wait until `check` holds (30 s at most). */
const until = (check: () => boolean, what: string): Promise<void> => waitFor(check, 30_000, what);

/** One prestarted runner given `jobs`, served by a LocalWorker; closed after `body`. */
async function withLocalWorker(
  jobs: FileJob[],
  body: (
    worker: LocalWorker,
    told: { id: number; event: WireEvent }[],
    lost: () => boolean,
    runners: PrestartedRunners,
  ) => Promise<void>,
): Promise<void> {
  const runners = PrestartedRunners.start(1);
  const told: { id: number; event: WireEvent }[] = [];
  let lost = false;
  let worker: LocalWorker | undefined;
  try {
    runners.dispatch(jobs);
    const given = runners.take((exit) => worker?.exited(exit));
    worker = new LocalWorker('suite.runner1', given!, {
      events: (id, events, aid) => {
        expect(aid).to.equal('suite.runner1');
        for (const event of events) told.push({ id, event });
      },
      lost: () => (lost = true),
    });
    await body(worker, told, () => lost, runners);
  } finally {
    await worker?.close();
    await runners.close();
  }
}

describe('LocalWorker', function () {
  this.timeout(60_000);

  describe('begin()', () => {
    it('should hand the run what its runner told before it began (both first files), in order, then what follows', async () => {
      await withLocalWorker(
        [job(1, 'fine.test.js'), job(2, 'broken.test.js')],
        async (worker, told, _lost, runners) => {
          expect(worker.jobs.map((j) => j.id)).to.deep.equal([1, 2]);
          // Both files ran with nobody reading: their events wait in the runner's log.
          const log = runnerLog(join(runners['dir'], '0.sock'));
          await until(
            () => existsSync(log) && /^\[2,.*"file end"/m.test(readFileSync(log, 'utf8')),
            'the second file to end',
          );
          expect(told).to.deep.equal([]);
          worker.begin();
          await until(
            () => told.some(({ id, event }) => id === 2 && event.name === 'file end'),
            'the events',
          );
          const ids = told.map(({ id }) => id);
          expect(ids).to.deep.equal([...ids].sort());
          expect(told.filter(({ event }) => event.name === 'pass')).to.have.length(3);
          // A third file, sent as to a worker actor, runs on the same runner.
          expect(worker.send(RUN_FILE, job(3, 'fine.test.js'))).to.equal(true);
          await until(
            () => told.some(({ id, event }) => id === 3 && event.name === 'file end'),
            'the third file',
          );
          expect(worker.alive).to.equal(true);
        },
      );
    });
  });

  describe('send()', () => {
    it("should do nothing for a name that is no command, one of Object.prototype's included", async () => {
      await withLocalWorker([job(1, 'fine.test.js')], async (worker, told) => {
        for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nothing']) {
          expect(worker.send(name, 1), name).to.equal(true);
        }
        await until(
          () => told.some(({ id, event }) => id === 1 && event.name === 'file end'),
          'the first file',
        );
        expect(worker.alive).to.equal(true);
      });
    });
  });

  describe('exited()', () => {
    it('should tell the test that killed its runner and the exit, then take no more files', async () => {
      await withLocalWorker([job(1, 'killed.test.js')], async (worker, told, lost) => {
        worker.begin();
        await until(lost, 'the worker to be lost');
        const names = told.map(({ event }) => event.name);
        expect(names).to.include('test');
        const exit = told.at(-1)!;
        expect(exit.id).to.equal(0);
        expect(exit.event).to.include({ name: 'runner exit', signal: 'SIGKILL', killed: false });
        expect(worker.alive).to.equal(false);
        expect(worker.send(RUN_FILE, job(2, 'fine.test.js'))).to.equal(false);
      });
    });
  });
});
