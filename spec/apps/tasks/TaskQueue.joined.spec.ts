// A task queue (embedded backend) whose pool includes workers of a joined
// node (`rxpulsar join`, another process on 127.0.0.1 with no runtime folder
// of the arbiter's, as another machine would be): they take tasks, and a
// task whose joined worker dies, or whose node is lost, runs again.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { expect } from 'chai';
import {
  arbiter,
  captureLogs,
  type Arbiter,
  type LogCapture,
  type Task,
} from '../../../lib/index.js';
import type { EmbeddedBackend } from '../../../lib/apps/tasks/EmbeddedBackend.js';
import { dataDir, joined as queue } from '../../fixtures/tasks/app.js';
import { startJoiner, type Joiner } from '../../support/joiner.js';
import { makeTlsFiles, type TlsFiles } from '../../support/tlsFiles.js';
import { waitFor, within } from '../../support/waiting.js';

const remotePids = (a: Arbiter): number[] =>
  (a.remote?.nodes ?? []).flatMap((n) => n.workers.map((w) => w.pid));

/** The pid and parent pid a running task reported (`hold` reports them). */
const ranOn = (t: Task): { pid: number; ppid: number } | undefined =>
  t.state === 'STARTED' && t.progress !== undefined
    ? (t.progress as { pid: number; ppid: number })
    : undefined;

describe('TaskQueue', function () {
  // Set here, not in a test's body: \`rxpulsar test\` learns a runnable's
  // timeout when it begins (a test spawns processes, hooks stop them).
  this.timeout(240_000);

  let a: Arbiter;
  let files: TlsFiles;
  let logs: LogCapture;
  let joiner: Joiner | undefined;

  before(async () => {
    logs = captureLogs('debug');
    rmSync(dataDir(queue.name), { recursive: true, force: true });
    files = makeTlsFiles();
    a = arbiter({
      signals: false,
      control: false,
      timeout: 3000,
      hub: 'tls://127.0.0.1:0',
      hubCert: files.cert,
      hubKey: files.key,
      hubSecretFile: files.secret,
    });
    await a.start();
    await queue.start();
  });

  after(async () => {
    await joiner?.kill();
    await queue.stop();
    await a.stop();
    if (joiner !== undefined) await within(joiner.closed, 20_000, 'the joined workers gone');
    rmSync(dataDir(queue.name), { recursive: true, force: true });
    files.remove();
    logs.restore();
  });

  /** Join with two workers and wait until the pool has its three, each taking tasks. */
  async function join(): Promise<Joiner> {
    const node = startJoiner(a.remote!.address!, files, { app: queue.name });
    await waitFor(
      () =>
        remotePids(a).filter((pid) => pid > 0).length === 2 &&
        queue.monitor!.managedActors.length === 3 &&
        // A worker says it takes tasks after its handshake: 3 × 2 × PREFETCH credits.
        (queue.backend as EmbeddedBackend).dispatcher.free === 12,
      60_000,
      'three workers, two joined',
    );
    return node;
  }

  /** A file whose creation ends the `hold` tasks given its path. */
  const release = joinPath(tmpdir(), `rxp-joined-hold-${process.pid}`);
  afterEach(() => rmSync(release, { force: true }));

  describe('with workers on a joined node', () => {
    it('should run tasks on the joined workers (their parent is the node agent)', async () => {
      joiner = await join();
      const tasks = await Promise.all(
        Array.from({ length: 12 }, () => queue.queueTask('ppid', [300])),
      );
      const parents = await within(
        Promise.all(tasks.map(async (t) => (await queue.waitForTask(t.id)).result as number)),
        60_000,
        'the tasks done',
      );
      expect(parents).to.include(joiner.child.pid);
      expect(parents).to.include(process.pid);
    });

    it('should run again the task of a joined worker that dies mid-task', async () => {
      const seen: Task[] = [];
      const sub = queue.task$.subscribe((t) => seen.push(t));
      const joinerPid = joiner!.child.pid!;
      try {
        // Tasks that run until released, not for a fixed time: one could
        // end before the spec kills its worker on a busy machine.
        const tasks = await Promise.all(
          Array.from({ length: 6 }, () => queue.queueTask('hold', [release])),
        );
        const ids = new Set(tasks.map((t) => t.id));
        await waitFor(
          () => seen.some((t) => ids.has(t.id) && ranOn(t)?.ppid === joinerPid),
          20_000,
          'a task running on the joined node',
        );
        const victim = seen.find((t) => ids.has(t.id) && ranOn(t)?.ppid === joinerPid)!;
        process.kill(ranOn(victim)!.pid, 'SIGKILL');
        await waitFor(
          () => seen.some((t) => t.id === victim.id && t.state === 'PENDING' && t.attempts === 1),
          20_000,
          'the task requeued',
        );
        writeFileSync(release, '');
        const done = await within(queue.waitForTask(victim.id), 60_000, 'the task done again');
        expect(done).to.include({ state: 'SUCCESS', attempts: 2 });
        expect(done.result).to.not.equal(ranOn(victim)!.pid);
        for (const t of tasks) await within(queue.waitForTask(t.id), 60_000, 'every task done');
      } finally {
        writeFileSync(release, ''); // none left running, should the test fail
        sub.unsubscribe();
      }
    });

    it('should run again the tasks of a joined node that is lost mid-task', async () => {
      await waitFor(
        () =>
          remotePids(a).filter((pid) => pid > 0).length === 2 &&
          queue.monitor!.managedActors.length === 3,
        60_000,
        'the joined worker replaced on its node',
      );
      const seen: Task[] = [];
      const sub = queue.task$.subscribe((t) => seen.push(t));
      const node = joiner!;
      try {
        const tasks = await Promise.all(
          Array.from({ length: 6 }, () => queue.queueTask('hold', [release])),
        );
        const ids = new Set(tasks.map((t) => t.id));
        const onNode = (): Task[] =>
          seen.filter((t) => ids.has(t.id) && ranOn(t)?.ppid === node.child.pid);
        await waitFor(() => onNode().length > 0, 20_000, 'a task running on the joined node');
        const victims = new Set(onNode().map((t) => t.id));
        node.child.kill('SIGKILL');
        // Released once the node's workers are gone: none of its tasks can
        // end there (the workers outlive their agent a moment).
        await within(node.closed, 20_000, 'the joined workers gone');
        writeFileSync(release, '');
        const done = await within(
          Promise.all([...victims].map((id) => queue.waitForTask(id))),
          60_000,
          'its tasks done elsewhere',
        );
        for (const t of done) {
          expect(t.state).to.equal('SUCCESS');
          // Its node held two workers: one attempt on each may die before
          // the arbiter hears that the node is gone, then one runs it here.
          expect(t.attempts).to.be.within(2, 3);
        }
        for (const t of tasks) await within(queue.waitForTask(t.id), 60_000, 'every task done');
      } finally {
        writeFileSync(release, ''); // none left running, should the test fail
        sub.unsubscribe();
      }
      await waitFor(
        () => queue.monitor!.managedActors.length === 3 && remotePids(a).length === 0,
        60_000,
        'the pool whole here',
      );
    });
  });
});
