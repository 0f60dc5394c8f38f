/**
 * Entry module of a process actor: reads its data from the environment,
 * runs the actor, exits when it stops. Ctrl-C reaches the whole process
 * group; only the arbiter acts on it, and stops its children itself. A
 * watchdog thread kills the process if the arbiter dies while it is busy.
 *
 * A warm spare (see {@link SpareChildren}) starts without data: its
 * modules loaded, it says so over the IPC channel and waits there for the
 * data of the actor it becomes.
 * @module
 */
import type { ChildData } from '../ChildData.js';
import { CHILD_DATA_ENV } from '../../concurrency/ProcessWorker.js';
import { SPARE_ENV, type SpareMessage } from '../spareProtocol.js';
import { runEntry, spareDataFrom } from './runEntry.js';
import { startWatchdog } from './watchdog.js';
// Its client, loaded with the rest (in parallel) rather than after it.
import '../../transport/HubClient.js';

process.on('SIGINT', () => undefined);
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
// A process stuck in CPU-bound code when its arbiter dies is killed too. Its
// watchdog starts once the actor runs (not to slow the handshake down), or,
// in a spare, while it waits for its data (not to slow its first requests
// down); it compares with the parent at start: one that died meanwhile is
// noticed.
const parent = process.ppid;
await runEntry(childData(), () => {
  if (spare) process.send?.({ rxpulsar: 'running' } satisfies SpareMessage);
  else startWatchdog({ ppid: parent });
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
  startWatchdog({ ppid: parent });
  return spareDataFrom({
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
    send: (message) => process.send?.(message),
  });
}
