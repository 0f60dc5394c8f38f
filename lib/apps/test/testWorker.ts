/**
 * The module every worker of a {@link TestSuite} imports: it starts the
 * worker's spec runner at once (a child process by default), then
 * registers the worker side of the app whose name the worker was spawned
 * with, which answers the arbiter's file jobs. The worker side is this
 * module's own small object, not a `TestSuite`: a worker only relays, and
 * the app's module graph (configuration, arbiter, monitor) would cost each
 * worker its load for nothing.
 * @module
 */
import type { Actor } from '../../actor/Actor.js';
import { getSpawnContext } from '../../actor/current.js';
import type { Application } from '../../application/Application.js';
import { registerApplication } from '../../application/registry.js';
import { configureLogging, type LogLevel } from '../../log/createLogger.js';
import { startRunnerEarly, type RunnerHandle } from './RunnerHandle.js';
import { serveFiles } from './serveFiles.js';

/** What the worker hooks of an application call (see `workerHooks`). */
class TestWorkerSide {
  private runner: RunnerHandle | undefined;

  constructor(
    readonly name: string,
    private readonly kind: 'process' | 'thread',
    private readonly execArgv: string[] | undefined,
  ) {}

  workerStarted(worker: Actor): void {
    const cfg = (worker.cfg['appCfg'] as Record<string, unknown> | undefined) ?? {};
    // The arbiter's logging settings apply in workers too (as in any app's).
    if (typeof cfg['logLevel'] === 'string') {
      configureLogging({
        level: cfg['debug'] === true ? 'debug' : (cfg['logLevel'] as LogLevel),
        format: cfg['logFormat'] === 'json' ? 'json' : 'text',
      });
    }
    this.runner = serveFiles(worker, this.name, this.kind, this.execArgv);
  }

  async workerStopping(): Promise<void> {
    await this.runner?.close();
  }

  workerInfo(): void {}
}

const cfg = getSpawnContext()?.cfg;
const app = cfg?.['app'];
if (typeof app === 'string') {
  const appCfg = cfg?.['appCfg'] as Record<string, unknown> | undefined;
  const kind = appCfg?.['runner'] === 'thread' ? 'thread' : 'process';
  const execArgv = appCfg?.['runnerExecArgv'] as string[] | undefined;
  startRunnerEarly(kind, execArgv);
  // The registry holds applications; the worker hooks need only these three methods.
  registerApplication(new TestWorkerSide(app, kind, execArgv) as unknown as Application);
}
