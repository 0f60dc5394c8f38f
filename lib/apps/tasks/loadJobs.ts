/**
 * Find a queue's jobs: a record given in code, or a module exporting `jobs`.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImproperlyConfiguredError } from '../../errors.js';
import { jobSpecs, type JobSpec } from './jobSpecs.js';
import type { Jobs } from './Task.js';

/**
 * @param source - a jobs record, a file URL, or a path from the current directory.
 * @returns the checked jobs.
 * @throws ImproperlyConfiguredError when the module cannot be loaded or exports no `jobs`.
 * @example
 * ```ts
 * const specs = await loadJobs('./jobs.js');
 * ```
 */
export async function loadJobs(
  source: Jobs | string | URL | null | undefined,
): Promise<Map<string, JobSpec>> {
  if (source === null || source === undefined) {
    throw new ImproperlyConfiguredError(
      'a TaskQueue needs jobs: a record, or a module (--jobs FILE)',
    );
  }
  if (typeof source === 'object' && !(source instanceof URL)) return jobSpecs(source);
  const url =
    source instanceof URL
      ? source.href
      : source.startsWith('file:')
        ? source
        : pathToFileURL(resolve(source)).href;
  let mod: { jobs?: unknown };
  try {
    mod = (await import(url)) as { jobs?: unknown };
  } catch (err) {
    throw new ImproperlyConfiguredError(`cannot load the jobs module ${url}: ${String(err)}`, {
      cause: err,
    });
  }
  if (typeof mod.jobs !== 'object' || mod.jobs === null) {
    throw new ImproperlyConfiguredError(`the jobs module ${url} exports no \`jobs\` record`);
  }
  return jobSpecs(mod.jobs as Jobs);
}
