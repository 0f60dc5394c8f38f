/**
 * Load an app's configuration from its schema and five sources, lowest
 * precedence first: schema defaults, constructor params, the JSON config
 * file, the environment (`RXPULSAR_*`), the command line.
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigProblem, type ConfigSource } from '../errors.js';
import { envOf, prefixKey } from './names.js';
import { parseArgv } from './parseArgv.js';
import { prefixSchema, unprefixValues } from './prefixSchema.js';
import { readConfigFile } from './readConfigFile.js';
import { schemaConfig } from './schemaConfig.js';
import type { ConfigEntry, ConfigValues, Schema } from './Setting.js';
import { suggest } from './suggest.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions<S extends Schema = Schema> {
  /** Every setting of the app (`{ ...globalSettings, ...appSettings, ...own }`). */
  schema: S;
  /** Constructor params: settings by the app's own (unprefixed) keys; all must be in the schema. */
  params?: Record<string, unknown>;
  /** Command-line arguments (default: none; pass `process.argv.slice(2)`). */
  argv?: readonly string[];
  /** The environment (default `process.env`); `RXPULSAR_*` variables of no setting are ignored. */
  env?: NodeJS.ProcessEnv;
  /** The app's prefix in a `MultiApp`: `rpc` reads `--rpc-workers`, `RXPULSAR_RPC_WORKERS`, `rpcWorkers`. */
  prefix?: string;
  /** The directory relative config paths are resolved from (default `process.cwd()`). */
  cwd?: string;
}

/** What {@link loadConfig} returns. */
export interface LoadedConfig<V = Record<string, unknown>> {
  /** Every setting of the schema, by the app's own keys; durations in milliseconds. */
  values: V;
  /** Where each value came from: `default`, `params`, `file`, `env` or `flag`. */
  sources: Record<string, ConfigSource>;
  /** The absolute path of the config file read, if any. */
  file?: string;
  /** The command-line arguments that are not flags. */
  positionals: string[];
}

const PRECEDENCE: readonly ConfigSource[] = ['default', 'params', 'file', 'env', 'flag'];

function fromParams(params: Record<string, unknown>, schema: Schema, prefix?: string) {
  const entries: ConfigEntry[] = [];
  const problems: ConfigProblem[] = [];
  for (const [own, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const prefixed = prefix === undefined ? own : prefixKey(prefix, own);
    const key = Object.hasOwn(schema, prefixed) && !schema[prefixed]!.global ? prefixed : own;
    if (Object.hasOwn(schema, key)) {
      entries.push({ key, value, source: 'params', origin: 'params' });
    } else {
      const expected = unknown(own, schema);
      problems.push({ key: own, value, source: 'params', origin: 'params', expected });
    }
  }
  return { entries, problems };
}

function fromEnv(env: NodeJS.ProcessEnv, schema: Schema): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const key of Object.keys(schema)) {
    const name = envOf(key);
    const value = env[name];
    if (value !== undefined && value !== '') {
      entries.push({ key, value, source: 'env', origin: `env ${name}` });
    }
  }
  return entries;
}

function unknown(key: string, schema: Schema): string {
  const hint = suggest(key, Object.keys(schema));
  return `unknown setting${hint === undefined ? '' : ` (did you mean ${hint}?)`}`;
}

function fromFile(data: Record<string, unknown>, path: string, schema: Schema) {
  const entries: ConfigEntry[] = [];
  const problems: ConfigProblem[] = [];
  const origin = `file ${path}`;
  for (const [key, value] of Object.entries(data)) {
    if (Object.hasOwn(schema, key) && key !== 'config') {
      entries.push({ key, value, source: 'file', origin });
    } else {
      const expected =
        key === 'config'
          ? 'cannot be set in a config file (use --config or RXPULSAR_CONFIG)'
          : unknown(key, schema);
      problems.push({ key, value, source: 'file', origin, expected });
    }
  }
  return { entries, problems };
}

/**
 * Load a configuration: validate every value of every source against the
 * schema and merge them by precedence (defaults < params < file < env <
 * flags). Validation is strict: an unknown key in the params, the file or
 * the flags, a value of the wrong type or out of range (even one that a
 * higher source overrides), a missing or malformed config file, all stop
 * the load with one {@link ConfigError} listing every problem.
 *
 * The config file is the `config` setting's value (params, `RXPULSAR_CONFIG`
 * or `--config`), resolved from `cwd`; `values.config` is its absolute path.
 *
 * @param options - the schema, the sources and the app's prefix.
 * @returns the values, their sources, the file read and the positional arguments.
 * @throws ConfigError listing every problem (its `exitCode` is 2).
 * @example
 * ```ts
 * const { values } = loadConfig({
 *   schema: { ...globalSettings, ...appSettings },
 *   argv: process.argv.slice(2),
 * });
 * values.timeout; // 30000
 * ```
 */
export function loadConfig<S extends Schema>(
  options: LoadConfigOptions<S>,
): LoadedConfig<ConfigValues<S>> {
  const { prefix, cwd = process.cwd(), env = process.env } = options;
  const schema = prefix === undefined ? options.schema : prefixSchema(options.schema, prefix);
  const config = schemaConfig(schema);
  const problems: ConfigProblem[] = [];
  const defaults = Object.entries(schema).map(([key, s]): ConfigEntry => ({
    key,
    value: s.default,
    source: 'default',
    origin: 'default',
  }));
  const params = fromParams(options.params ?? {}, schema, prefix);
  const envEntries = fromEnv(env, schema);
  const flags = parseArgv(options.argv ?? [], schema);
  problems.push(...params.problems);

  let file: string | undefined;
  let fileEntries: ConfigEntry[] = [];
  const configEntry = [...params.entries, ...envEntries, ...flags.entries]
    .filter((e) => e.key === 'config' && typeof e.value === 'string')
    .pop();
  if (configEntry !== undefined) {
    const path = configEntry.value as string;
    file = isAbsolute(path) ? path : resolve(cwd, path);
    const read = readConfigFile(file);
    if (read.ok) {
      const parsed = fromFile(read.data, file, schema);
      fileEntries = parsed.entries;
      problems.push(...parsed.problems);
      configEntry.value = file;
    } else {
      problems.push({ ...configEntry, value: file, expected: read.expected });
      file = undefined;
    }
  }
  problems.push(...flags.problems);

  // Every value of every source is checked on its own (a problem names its
  // origin); the valid ones are merged by precedence in the one convict
  // config of the schema, which then validates the result strictly.
  const sources: Record<string, ConfigSource> = {};
  const all = [...defaults, ...params.entries, ...fileEntries, ...envEntries, ...flags.entries];
  for (const entry of all) {
    const result = config.check(entry.key, entry.value);
    if (!result.ok) problems.push({ ...entry, expected: result.expected });
    else sources[entry.key] = entry.source;
  }
  if (problems.length > 0) {
    problems.sort((a, b) => PRECEDENCE.indexOf(a.source) - PRECEDENCE.indexOf(b.source));
    throw new ConfigError(problems);
  }
  const values = config.values();
  return {
    // The prefixed schema's keys are renamed back to the app's: the values
    // are those of `S`, which the type system cannot follow through the renaming.
    values: (prefix === undefined
      ? values
      : unprefixValues(values, options.schema, prefix)) as ConfigValues<S>,
    sources: prefix === undefined ? sources : unprefixValues(sources, options.schema, prefix),
    ...(file === undefined ? {} : { file }),
    positionals: flags.positionals,
  };
}
