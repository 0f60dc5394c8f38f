/**
 * Entry module of a thread actor: its data is the `workerData`, or, for a
 * warm spare (started without), the first message on its `parentPort`.
 *
 * The build bundles it as CommonJS (`dist/lib/child/entry/thread.cjs`,
 * see tools/bundleRuntime.ts): a child starts without Node's ES-module
 * loader, so no top-level `await` here.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChildData } from '../ChildData.js';
import type { SpareMessage } from '../spareProtocol.js';
import { runEntry, spareDataFrom } from './runEntry.js';
import { InvalidStateError } from '../../errors.js';
// Its client, loaded with the rest rather than when the actor runs.
import '../../transport/PortClient.js';

const given = workerData as ChildData | undefined;
void runEntry(given ?? fromArbiter(), () => {
  if (given === undefined) parentPort?.postMessage({ rxpulsar: 'running' } satisfies SpareMessage);
});

/** A spare: wait for its data (and its port) on the `parentPort`. */
async function fromArbiter(): Promise<ChildData> {
  const port = parentPort;
  if (port === null) throw new InvalidStateError('a spare thread without its parentPort');
  return spareDataFrom({
    on: (event, listener) => port.on(event, listener),
    off: (event, listener) => port.off(event, listener),
    send: (message) => port.postMessage(message),
  });
}
