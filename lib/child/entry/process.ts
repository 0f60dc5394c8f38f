/**
 * Entry module of a process actor: reads its data from the environment,
 * runs the actor, exits when it stops. Ctrl-C reaches the whole process
 * group; only the arbiter acts on it, and stops its children itself. The
 * arbiter's reaper (`OrphanReaper`) kills the process if the
 * arbiter dies while it is busy.
 *
 * A warm spare (see {@link SpareChildren}) starts without data: its
 * modules loaded, it says so over the IPC channel and waits there for the
 * data of the actor it becomes.
 *
 * The build bundles it as CommonJS (`dist/lib/child/entry/process.cjs`,
 * see tools/bundleRuntime.ts): a child starts without Node's ES-module
 * loader, so no top-level `await` here.
 * @module
 */
import cluster from 'node:cluster';
import type { ChildData } from '../ChildData.js';
import { ChildActor } from '../ChildActor.js';
import { getActor } from '../../actor/current.js';
import { CHILD_DATA_ENV, ORPHAN_GRACE_MS } from '../../concurrency/processChild.js';
import { SPARE_ENV, type SpareMessage } from '../spareProtocol.js';
import { runEntry, spareDataFrom } from './runEntry.js';
// Its client, loaded with the rest rather than when the actor runs.
import '../../transport/HubClient.js';

process.on('SIGINT', () => undefined);
// Its IPC channel closed: the arbiter is gone. `cluster` would exit at once,
// before the actor heard its hub close too; an actor stops as it does then,
// its `stopping` hook run, within the grace the arbiter's reaper gives it
// (the reaper kills one stuck in a loop; this timer, one whose stop hangs).
if (cluster.worker !== undefined) {
  (cluster.worker as { exitedAfterDisconnect: boolean }).exitedAfterDisconnect = true;
  // A message to an arbiter that died fails with EPIPE, told on the worker
  // (a server's close() tells the primary of a shared Unix socket): no
  // crash and stack trace, the disconnect below stops the actor.
  cluster.worker.on('error', () => undefined);
}
process.once('disconnect', () => {
  const actor = getActor();
  if (!(actor instanceof ChildActor)) process.exit(0); // a spare: no actor yet
  actor.arbiterLost();
  setTimeout(() => process.exit(0), ORPHAN_GRACE_MS).unref();
});
const raw = process.env[CHILD_DATA_ENV];
delete process.env[CHILD_DATA_ENV];
const spare = process.env[SPARE_ENV] === '1';
delete process.env[SPARE_ENV];
if (raw === undefined && !spare) {
  process.stderr.write(
    `rxpulsar: ${CHILD_DATA_ENV} is not set; this module is started by spawn()\n`,
  );
  process.exit(2);
}
void runEntry(childData(), () => {
  if (spare) process.send?.({ rxpulsar: 'running' } satisfies SpareMessage);
});

/** Its data, from the environment or (a spare) its arbiter; its title set. */
async function childData(): Promise<ChildData> {
  const data = raw !== undefined ? (JSON.parse(raw) as ChildData) : await fromArbiter();
  if (data.title !== undefined) process.title = data.title;
  return data;
}

/** A spare: say it is warm, then wait for its data on the IPC channel. */
async function fromArbiter(): Promise<ChildData> {
  process.title = 'rxpulsar: spare';
  return spareDataFrom({
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
    send: (message) => process.send?.(message),
  });
}
