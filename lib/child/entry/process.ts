/**
 * Entry module of a process actor: reads its data from the environment,
 * runs the actor, exits when it stops. Ctrl-C reaches the whole process
 * group; only the arbiter acts on it, and stops its children itself. A
 * watchdog thread kills the process if the arbiter dies while it is busy.
 * @module
 */
import type { ChildData } from '../ChildData.js';
import { runChild } from '../runChild.js';
import { CHILD_DATA_ENV } from '../../concurrency/ProcessWorker.js';
import { startWatchdog } from './watchdog.js';

process.on('SIGINT', () => undefined);
const raw = process.env[CHILD_DATA_ENV];
delete process.env[CHILD_DATA_ENV];
if (raw === undefined) {
  process.stderr.write(
    `rxpulsar: ${CHILD_DATA_ENV} is not set; this module is started by spawn()\n`,
  );
  process.exit(2);
}
// A process stuck in CPU-bound code when its arbiter dies is killed too. Its
// watchdog starts once the actor runs (not to slow the handshake down), and
// compares with the parent at start: one that died meanwhile is noticed.
const parent = process.ppid;
try {
  const data = JSON.parse(raw) as ChildData;
  if (data.title !== undefined) process.title = data.title;
  await runChild(data, () => startWatchdog({ ppid: parent }));
  process.exit(0);
} catch (err) {
  process.stderr.write(
    `rxpulsar: actor failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
}
