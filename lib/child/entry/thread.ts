/**
 * Entry module of a thread actor: its data is the `workerData`.
 * @module
 */
import { workerData } from 'node:worker_threads';
import type { ChildData } from '../ChildData.js';
import { runChild } from '../runChild.js';

try {
  await runChild(workerData as ChildData);
  process.exit(0);
} catch (err) {
  process.stderr.write(
    `rxpulsar: actor failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
}
