/**
 * The module every worker of a {@link TestSuite} imports: it starts the
 * worker's spec runner at once (a child process by default), then builds
 * the worker side of the app whose name the worker was spawned with, which
 * then answers the arbiter's file jobs. The app's module graph loads while
 * the runner boots and loads mocha.
 * @module
 */
import { getSpawnContext } from '../../actor/current.js';
import { startRunnerEarly } from './RunnerHandle.js';

const cfg = getSpawnContext()?.cfg;
const app = cfg?.['app'];
if (typeof app === 'string') {
  const appCfg = cfg?.['appCfg'] as Record<string, unknown> | undefined;
  const execArgv = appCfg?.['runnerExecArgv'] as string[] | undefined;
  startRunnerEarly(appCfg?.['runner'] === 'thread' ? 'thread' : 'process', execArgv);
  const { TestSuite } = await import('./TestSuite.js');
  new TestSuite({ name: app });
}
