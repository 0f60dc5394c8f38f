/**
 * The embedded backend's delay timer: a delay is a date, of any length,
 * but Node's timers take at most 2^31-1 ms (a longer one fires after 1 ms,
 * with a TimeoutOverflowWarning): the loop's timeouts it arms wait the rest.
 * A unit spec: the backend with a monitor that records what it sends.
 */
import { rmSync } from 'node:fs';
import { expect } from 'chai';
import sinon from 'sinon';
import { Deferred } from '../../../lib/index.js';
import type { Assignment } from '../../../lib/apps/tasks/Dispatcher.js';
import { EmbeddedBackend } from '../../../lib/apps/tasks/EmbeddedBackend.js';
import { jobSpecs } from '../../../lib/apps/tasks/jobSpecs.js';
import { MAX_TIMER_MS } from '../../../lib/util/maxTimerMs.js';
import { IOLoop } from '../../../lib/eventloop/IOLoop.js';
import type { Monitor } from '../../../lib/monitor/Monitor.js';
import { dataDir } from '../../fixtures/tasks/app.js';

const DAY = 86_400_000;
const dir = dataDir('spec-embedded-unit');
const fired = (): Deferred<undefined> => {
  const d = new Deferred<undefined>();
  d.callback(undefined);
  return d;
};
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('EmbeddedBackend', () => {
  let loop: IOLoop;
  let backend: EmbeddedBackend;
  /** The batches sent to the one worker. */
  let sent: Assignment[][];
  let clock: sinon.SinonFakeTimers | undefined;

  /** A started backend with one ready worker. */
  async function start(): Promise<void> {
    sent = [];
    loop = new IOLoop({ name: 'spec-embedded' });
    const quiet = (): undefined => undefined;
    const monitor = {
      name: 'spec-embedded',
      loop,
      logger: { error: quiet, warn: quiet, info: quiet, debug: quiet },
      managedActors: [],
      send: fired,
      tell: (_aid: string, _cmd: string, batch: Assignment[]) => {
        sent.push(batch);
        return fired();
      },
    } as unknown as Monitor;
    backend = new EmbeddedBackend(monitor, jobSpecs({ add: (_c, a: number, b: number) => a + b }), {
      dataDir: dir,
      concurrentTasks: 1,
      resultTtl: DAY,
      maxDeaths: 3,
      abortGrace: 1000,
      missedTicks: 'once',
      maxMessageSize: 65536,
    });
    await backend.start();
    backend.dispatcher.workerReady('worker-1');
  }

  beforeEach(() => rmSync(dir, { recursive: true, force: true }));

  afterEach(async () => {
    await backend.stop();
    loop.stop();
    clock?.restore();
    clock = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('queueTask() with a delay past 24.8 days', () => {
    it('should start the task at its date, not before', async () => {
      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      await start();
      const task = await backend.queueTask('add', [1, 2], { delay: '30 d', durable: false });
      expect(task.runAt).to.equal(task.queuedAt + 30 * DAY);
      // (The fake clock, as Node, fires a longer timer after 1 ms.)
      await clock.tickAsync(1000);
      await turn();
      expect(sent, 'not after 1 ms').to.deep.equal([]);
      await clock.tickAsync(MAX_TIMER_MS);
      await turn();
      expect(sent, 'not at 24.8 days').to.deep.equal([]);
      await clock.tickAsync(30 * DAY - 2000 - MAX_TIMER_MS);
      await turn();
      expect(sent, 'not before its date').to.deep.equal([]);
      await clock.tickAsync(1000);
      await turn(); // the dispatcher sends at the end of the turn
      expect(sent.flat().map((a) => a.id)).to.deep.equal([task.id]);
      expect(Date.now()).to.equal(task.runAt);
    });

    it('should not overflow a real timer (no TimeoutOverflowWarning)', async () => {
      const warnings: Error[] = [];
      const listen = (w: Error): void => void warnings.push(w);
      process.on('warning', listen);
      try {
        await start();
        await backend.queueTask('add', [1, 2], { delay: 1e15, durable: false });
        // An overflowing timer warns as it is armed, and fires again every ms.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await turn();
        expect(warnings.map((w) => w.name)).to.not.include('TimeoutOverflowWarning');
        expect(sent).to.deep.equal([]);
        expect(backend.counts()).to.include({ PENDING: 1 });
      } finally {
        process.off('warning', listen);
      }
    });
  });
});
