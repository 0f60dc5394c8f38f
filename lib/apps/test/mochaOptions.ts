/**
 * mocha's options as `rxpulsar test` uses them: split from the app's own
 * parameters, the spec files collected by mocha's own code, the options
 * a worker's `Mocha` gets.
 * @module
 */
import { readFileSync } from 'node:fs';
import { requireMocha } from './requireMocha.js';

/** Parameters of a TestSuite that belong to the app, not to mocha. */
const APP_KEYS = new Set([
  'name',
  'module',
  'workers',
  'concurrency',
  'exitOnConfigError',
  'argv',
  'logLevel',
  'logFormat',
  'debug',
  'durations',
  'gracefulTimeout',
  'exitTimeout',
  'requestTimeout',
  'metrics',
]);

/** Options a worker's `Mocha` takes (the others are the arbiter's: reporter, files, fixtures). */
const WORKER_KEYS = [
  'ui',
  'timeout',
  'slow',
  'bail',
  'retries',
  'grep',
  'fgrep',
  'invert',
  'checkLeaks',
  'global',
  'forbidOnly',
  'forbidPending',
  'asyncOnly',
  'allowUncaught',
  'delay',
  'dryRun',
  'failZero',
  'fullTrace',
  'inlineDiffs',
  'diff',
  'failHookAffectedTests',
  'require',
];

/**
 * @param params - a TestSuite's parameters.
 * @returns the app's parameters and mocha's options.
 * @example
 * ```ts
 * splitTestParams({ workers: 2, timeout: 5000 }); // { app: { workers: 2 }, mocha: { timeout: 5000 } }
 * ```
 */
export function splitTestParams(params: Record<string, unknown>): {
  app: Record<string, unknown>;
  mocha: Record<string, unknown>;
} {
  const app: Record<string, unknown> = {};
  const mocha: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (APP_KEYS.has(key)) app[key] = value;
    else mocha[key] = value;
  }
  return { app, mocha };
}

/**
 * @param options - mocha's options (camelCase).
 * @returns those a worker needs, JSON-safe (a regular expression as `/source/flags`).
 * @example
 * ```ts
 * workerOptions({ grep: /^api /i, reporter: 'dot' }); // { grep: '/^api /i' }
 * ```
 */
export function workerOptions(options: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of WORKER_KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    picked[key] = value instanceof RegExp ? `/${value.source}/${value.flags}` : value;
  }
  return picked;
}

const asList = (v: unknown): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String);

/**
 * Collect the spec files as mocha does (its own `collect-files`: globs,
 * `--extension`, `--recursive`, `--ignore`, `--sort`, `--file` first). No
 * file found: mocha's message, and the process exits 1, as mocha's does.
 *
 * @param options - mocha's options (`spec` defaults to `./test`).
 * @returns the spec files and the `--file` files.
 * @example
 * ```ts
 * const { files, setupFiles } = collectSpecFiles({ spec: ['test/'], recursive: true });
 * ```
 */
export function collectSpecFiles(options: Record<string, unknown>): {
  files: string[];
  setupFiles: string[];
} {
  const collectFiles = requireMocha('mocha/lib/cli/collect-files.cjs');
  const spec = asList(options['spec']);
  const extension = asList(options['extension']);
  const setup = asList(options['file']);
  const { files } = collectFiles({
    ignore: asList(options['ignore']),
    extension: extension.length > 0 ? extension : ['js', 'cjs', 'mjs'],
    file: setup,
    recursive: options['recursive'] === true,
    sort: options['sort'] === true,
    spec: spec.length > 0 ? spec : ['./test'],
  });
  const setupFiles = files.slice(0, setup.length);
  return { files: files.slice(setup.length), setupFiles };
}

/**
 * Files whose text mentions `only` as a call or a property: only they can
 * hold a `.only` (written in the file itself), so only they are loaded in
 * the first pass that looks for one.
 *
 * @param files - spec files.
 * @returns those that may hold a `.only`.
 * @example
 * ```ts
 * onlyCandidates(['a.spec.js', 'b.spec.js']); // ['b.spec.js'] if only b mentions `.only`
 * ```
 */
export function onlyCandidates(files: string[]): string[] {
  return files.filter((file) => {
    try {
      return /\.only\b|\[\s*['"]only['"]\s*\]/.test(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Reporters that read the whole suite before it runs (`runner.total`, the suite tree). */
const WHOLE_SUITE_REPORTERS = new Set(['progress', 'landing', 'markdown']);

/**
 * @param reporter - the `reporter` option.
 * @returns why rxpulsar test cannot feed that reporter, or `undefined`.
 * @example
 * ```ts
 * unsupportedReporter('progress'); // '--reporter=progress needs ...'
 * ```
 */
export function unsupportedReporter(reporter: unknown): string | undefined {
  if (typeof reporter !== 'string' || !WHOLE_SUITE_REPORTERS.has(reporter)) return undefined;
  return (
    `--reporter=${reporter} needs the whole suite loaded before it runs: ` +
    'it is not supported by rxpulsar test (as by mocha --parallel)'
  );
}
