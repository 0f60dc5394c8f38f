/**
 * mocha's CommonJS modules, required rather than imported. mocha 12 is
 * CommonJS at its entry points (`lib/mocha.cjs`, its command-line helpers);
 * an `import()` of one goes through the ES module loader, which lexes every
 * CommonJS file of the graph for its exports (cjs-module-lexer) and routes
 * each of their `require`s through itself: about 50 ms more CPU per process
 * than `require` for the same modules (docs/choices.md, "rxpulsar test:
 * start-up, third round"). The modules are the same either way (one cache).
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The CommonJS modules of mocha that rxpulsar test uses, by their ids. */
export interface MochaModules {
  'mocha/lib/mocha.cjs': typeof import('mocha');
  'mocha/lib/cli/options.cjs': typeof import('mocha/lib/cli/options.cjs');
  'mocha/lib/cli/run.cjs': typeof import('mocha/lib/cli/run.cjs');
  'mocha/lib/cli/run-helpers.cjs': typeof import('mocha/lib/cli/run-helpers.cjs');
  'mocha/lib/cli/collect-files.cjs': typeof import('mocha/lib/cli/collect-files.cjs');
  'mocha/lib/nodejs/esm-utils.cjs': typeof import('mocha/lib/nodejs/esm-utils.cjs');
}

/**
 * @param id - one of mocha's CommonJS modules.
 * @returns its exports (`mocha/lib/mocha.cjs`: the `Mocha` class, which is
 *   `import('mocha')`'s default export).
 * @example
 * ```ts
 * const Mocha = requireMocha('mocha/lib/mocha.cjs');
 * const { loadOptions } = requireMocha('mocha/lib/cli/options.cjs');
 * ```
 */
export function requireMocha<K extends keyof MochaModules>(id: K): MochaModules[K] {
  return require(id) as MochaModules[K];
}
