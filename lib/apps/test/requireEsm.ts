/**
 * One of rxpulsar's ES modules, loaded by `require` (Node 20.19's
 * `require()` of ES modules) rather than `import()`: `require` reads the
 * files of the graph at once, where `import()` reads each on libuv's
 * thread pool and goes on at a later turn of the loop, a round trip per
 * file that a loaded machine makes long (the suite's graph, 130 files:
 * 52–74 ms of wall against 67–201 ms for the same 51–73 ms of CPU, under
 * other work; docs/choices.md, "rxpulsar test: start-up, fifth round").
 * @module
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';

const require = createRequire(import.meta.url);
/** Cleared once a loader gave a CommonJS copy: the next modules are imported at once. */
let requireGivesModules = true;

/**
 * @param url - the module (a `file:` URL).
 * @returns its exports. A Node that cannot `require` it (its
 *   `--no-experimental-require-module`, a graph with a top-level `await`, a
 *   module an `import()` is still loading) imports it; so does one whose
 *   `require` a loader took over (tsx's `--import tsx` compiles the file
 *   to CommonJS: a second copy of the graph, whose singletons, such as
 *   `PrestartedRunners.early`, are not those of the modules imported).
 * @example
 * ```ts
 * const { spares } = await requireEsm<typeof import('../../child/startWorker.js')>(
 *   new URL('../../child/startWorker.js', import.meta.url),
 * );
 * ```
 */
export async function requireEsm<T>(url: URL): Promise<T> {
  try {
    const exports: unknown = requireGivesModules ? require(fileURLToPath(url)) : undefined;
    if (types.isModuleNamespaceObject(exports)) return exports as T;
    requireGivesModules = false;
  } catch (err) {
    if (!/^ERR_REQUIRE_/.test(String((err as { code?: unknown }).code))) throw err;
  }
  return (await import(url.href)) as T;
}
