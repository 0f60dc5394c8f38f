/**
 * Entry module of a thread actor: its data is the `workerData`, or, for a
 * warm spare (started without), the first message on its `parentPort`.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChildData } from '../ChildData.js';
import { runChild } from '../runChild.js';
import { spareData, type SpareMessage } from '../spareProtocol.js';
import { InvalidStateError } from '../../errors.js';

try {
  const given = workerData as ChildData | undefined;
  const data = given ?? (await fromArbiter());
  await runChild(data, () => {
    if (given === undefined)
      parentPort?.postMessage({ rxpulsar: 'running' } satisfies SpareMessage);
  });
  process.exit(0);
} catch (err) {
  process.stderr.write(
    `rxpulsar: actor failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
}

/** A spare: load its client, then wait for its data (and its port) on the `parentPort`. */
async function fromArbiter(): Promise<ChildData> {
  await import('../../transport/PortClient.js');
  return new Promise((resolve, reject) => {
    if (parentPort === null) {
      reject(new InvalidStateError('a spare thread without its parentPort'));
      return;
    }
    const port = parentPort;
    const onMessage = (message: unknown): void => {
      const data = spareData(message);
      if (data === undefined) return;
      port.off('message', onMessage);
      resolve(data);
    };
    port.on('message', onMessage);
    port.postMessage({ rxpulsar: 'spare' } satisfies SpareMessage);
  });
}
