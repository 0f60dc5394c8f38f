/**
 * The applications of this process, by name.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';
import type { Application } from './Application.js';

const apps = new Map<string, Application>();

/**
 * Register an app: in the arbiter when it starts, in a worker when its
 * module is imported again. A second, different app with the same name is
 * an error.
 *
 * @param app - the application.
 */
export function registerApplication(app: Application): void {
  const known = apps.get(app.name);
  if (known !== undefined && known !== app) {
    throw new ImproperlyConfiguredError(`an application named "${app.name}" exists already`);
  }
  apps.set(app.name, app);
}

/** @param app - forget it (it stopped). */
export function unregisterApplication(app: Application): void {
  if (apps.get(app.name) === app) apps.delete(app.name);
}

/** @returns the names of the applications registered in this process (specs check none carries over). */
export function registeredApplications(): string[] {
  return [...apps.keys()];
}

/**
 * The application of that name in this process: in the arbiter, the app
 * started there; in a worker, the app its module registered.
 *
 * @param name - the app's name.
 * @returns the app, or `undefined`.
 * @example
 * ```ts
 * const app = getApplication('helloworld');
 * ```
 */
export function getApplication(name: string): Application | undefined {
  return apps.get(name);
}

/**
 * The application a worker's module registered, for the worker hooks (which
 * travel by source and so cannot import the error classes themselves).
 *
 * @param name - the app's name.
 * @returns the app.
 * @throws ImproperlyConfiguredError when the module did not start an app of that name.
 * @example
 * ```ts
 * const app = startedApplication('helloworld');
 * ```
 */
export function startedApplication(name: string): Application {
  const app = apps.get(name);
  if (app === undefined) {
    throw new ImproperlyConfiguredError(`app "${name}" was not started by its module`);
  }
  return app;
}
