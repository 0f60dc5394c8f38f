/**
 * The hooks every worker of an application is spawned with. They travel by
 * source, so they are self-contained: they find the app through the app
 * registry (its URL is in the worker's parameters) once the app's module,
 * imported again in the worker, has registered it.
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { Actor } from '../actor/Actor.js';
import { moduleUrl } from '../child/startWorker.js';
import { ImproperlyConfiguredError } from '../errors.js';
import { getCliContext } from './cliContext.js';

/** What a worker hook needs of the app (it is an `Application`). */
interface WorkerSide {
  workerStarted(worker: Actor): unknown;
  workerStopping(worker: Actor): unknown;
  workerInfo(worker: Actor, info: Record<string, unknown>): unknown;
}

const REGISTRY = new URL('./registry.js', import.meta.url).href;

/**
 * The module workers import again: the one given, else the one the CLI
 * runs, else the main script.
 *
 * @param module - the app's `module` parameter.
 * @returns a file URL.
 */
export function appModule(module: string | URL | undefined): string {
  if (module !== undefined) return moduleUrl(module);
  const main = getCliContext()?.module ?? process.argv[1];
  if (main === undefined) {
    throw new ImproperlyConfiguredError('no module to run the workers: give the app a module');
  }
  return pathToFileURL(main).href;
}

/**
 * Spawn parameters that hook a worker to its app.
 * @returns the hooks and the app registry's URL.
 */
export function workerHooks(): Record<string, unknown> {
  return {
    rxpulsarRegistry: REGISTRY,
    start: async (actor: Actor): Promise<void> => {
      const entry = (await import(String(actor.cfg['rxpulsarRegistry']))) as {
        startedApplication(name: string): WorkerSide;
      };
      const app = entry.startedApplication(String(actor.cfg['app']));
      actor.extra['app'] = app;
      await app.workerStarted(actor);
    },
    stopping: (actor: Actor): unknown =>
      (actor.extra['app'] as WorkerSide | undefined)?.workerStopping(actor),
    onInfo: (actor: Actor, info: Record<string, unknown>): unknown =>
      (actor.extra['app'] as WorkerSide | undefined)?.workerInfo(actor, info),
  };
}
