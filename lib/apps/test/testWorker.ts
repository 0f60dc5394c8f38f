/**
 * The module every worker of a {@link TestSuite} imports: it builds the
 * worker side of the app whose name the worker was spawned with, which
 * then answers the arbiter's file jobs.
 * @module
 */
import { isMainThread } from 'node:worker_threads';
import { getSpawnContext } from '../../actor/current.js';
import { startRunnerEarly } from './RunnerHandle.js';
import { TestSuite } from './TestSuite.js';

const app = getSpawnContext()?.cfg['app'];
if (typeof app === 'string') {
  startRunnerEarly(isMainThread ? 'process' : 'thread');
  new TestSuite({ name: app });
}
