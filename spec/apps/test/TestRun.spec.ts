import { expect } from 'chai';
import { Subject } from 'rxjs';
import type { ActorProxy } from '../../../lib/actor/ActorProxy.js';
import type { Monitor } from '../../../lib/monitor/Monitor.js';
import { TestRun } from '../../../lib/apps/test/TestRun.js';
import { RUN_FILE, type FileJob } from '../../../lib/apps/test/wire.js';

/** A pool of one worker that records what it is sent (a monitor as far as TestRun sees it). */
function onePool(): { monitor: Monitor; sent: unknown[][]; worker: ActorProxy } {
  const worker = { aid: 'w1', worker: { exited: false } } as unknown as ActorProxy;
  const sent: unknown[][] = [];
  const monitor = {
    managedActors: new Set([worker]),
    send: (...args: unknown[]) => {
      sent.push(args);
      return { addErrback: () => undefined };
    },
    loop: { addPeriodic: () => ({ stop: () => undefined }) },
  } as unknown as Monitor;
  return { monitor, sent, worker };
}

const job = (id: number, file: string): FileJob => ({ id, file, setupFiles: [], options: {} });

describe('TestRun', () => {
  describe('execute()', () => {
    it("should run a runner's file held ahead when the file it runs first is not of the phase (it hung, reserved)", async () => {
      const { monitor, sent } = onePool();
      const arbiter = { actorExited$: new Subject<never>(), actorSpawned$: new Subject<never>() };
      // The runner runs x.js, not a file of this run's phase, then a.js, held ahead.
      const first = [job(1, 'x.js'), job(2, 'a.js')];
      const ended: string[] = [];
      const run = new TestRun(
        monitor,
        arbiter,
        {
          files: ['a.js', 'b.js'],
          setupFiles: [],
          options: {},
          onlyCandidates: [],
          bail: false,
          firstJobs: first,
        },
        {
          report: () => undefined,
          fileDone: (file) => ended.push(file),
          firstJob: () => first,
        },
      );
      const done = run.execute();
      await new Promise((resolve) => setImmediate(resolve));
      // a.js is on the worker's runner already: only b.js is sent (ahead).
      const files = sent
        .filter(([, command]) => command === RUN_FILE)
        .map(([, , j]) => (j as FileJob).file);
      expect(files).to.deep.equal(['b.js']);
      const bId = (sent.find(([, command]) => command === RUN_FILE)![2] as FileJob).id;
      run.receive(1, [{ name: 'file end', failures: 0 }], 'w1');
      run.receive(2, [{ name: 'file end', failures: 0 }], 'w1');
      run.receive(bId, [{ name: 'file end', failures: 0 }], 'w1');
      await done;
      expect(ended).to.deep.equal(['a.js', 'b.js']);
    });
  });

  describe('attach()', () => {
    it('should give files to the workers of a pool that joins a run begun without one', async () => {
      const { monitor, sent } = onePool();
      const arbiter = { actorExited$: new Subject<never>(), actorSpawned$: new Subject<never>() };
      const ended: string[] = [];
      const run = new TestRun(
        undefined,
        undefined,
        { files: ['a.js'], setupFiles: [], options: {}, onlyCandidates: [], bail: false },
        { report: () => undefined, fileDone: (file) => ended.push(file) },
      );
      const done = run.execute();
      await new Promise((resolve) => setImmediate(resolve));
      // No worker yet: the file waits.
      expect(sent).to.deep.equal([]);
      expect(run.wantsWorkers).to.equal(true);
      run.attach(monitor, arbiter);
      // Its worker comes up: it gets the file.
      arbiter.actorSpawned$.next(undefined as never);
      await new Promise((resolve) => setImmediate(resolve));
      const runs = sent.filter(([, command]) => command === RUN_FILE);
      expect(runs.map(([aid, , j]) => [aid, (j as FileJob).file])).to.deep.equal([['w1', 'a.js']]);
      run.receive((runs[0]![2] as FileJob).id, [{ name: 'file end', failures: 0 }], 'w1');
      await done;
      expect(ended).to.deep.equal(['a.js']);
    });
  });
});
