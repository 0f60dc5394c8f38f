/**
 * `rxpulsar test` has no watch mode (`--watch` is refused), yet mocha's
 * command-line helpers (`run.cjs`, `run-helpers.cjs`) require its watch
 * module, which loads chokidar and a second copy of glob (its CommonJS
 * build, beside the ES one mocha's file lookup loads): about a tenth of the
 * CPU of a process's start. The arbiter's process and each spec runner put
 * a stand-in in `require`'s cache instead, before they load those helpers.
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Make `require('mocha/lib/cli/watch-run.cjs')` return a stand-in whose
 * functions throw (nothing of `rxpulsar test` calls them). Idempotent; does
 * nothing when the module is loaded already.
 *
 * @example
 * ```ts
 * withoutWatch();
 * const { handleRequires } = await import('mocha/lib/cli/run-helpers.cjs');
 * ```
 */
export function withoutWatch(): void {
  let path: string;
  try {
    path = require.resolve('mocha/lib/cli/watch-run.cjs');
  } catch {
    return;
  }
  if (require.cache[path] !== undefined) return;
  const unsupported = (): never => {
    // Required here, never before: a spec runner loads none of rxpulsar's
    // runtime (errors.js is bundled in it), only mocha and its own modules.
    const { ImproperlyConfiguredError } =
      require('../../errors.js') as typeof import('../../errors.js');
    throw new ImproperlyConfiguredError('mocha --watch is not supported by rxpulsar test');
  };
  const stand = {
    id: path,
    filename: path,
    loaded: true,
    exports: { watchRun: unsupported, watchParallelRun: unsupported },
    children: [],
    paths: [],
  };
  require.cache[path] = stand as unknown as NodeJS.Module;
}
