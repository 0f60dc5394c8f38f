/**
 * App prefixes for `MultiApp`: each app's non-global settings are renamed
 * `<prefix><Key>` (`rpc` + `workers` → `rpcWorkers`), so they appear as
 * `--rpc-workers`, `RXPULSAR_RPC_WORKERS` and the file key `rpcWorkers`;
 * global settings keep their names. The apps' prefixed schemas merge into
 * one, loaded once, and each app takes its own values back with
 * {@link unprefixValues}.
 * @module
 */
import { ImproperlyConfiguredError } from '../errors.js';
import { prefixKey } from './names.js';
import type { Schema, Setting } from './Setting.js';

function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-zA-Z\d]*$/.test(prefix)) {
    throw new ImproperlyConfiguredError(
      `app prefix ${JSON.stringify(prefix)} must be camelCase: a lower-case letter, then letters or digits`,
    );
  }
}

/**
 * The schema of an app under a prefix: non-global keys prefixed, their
 * short aliases dropped (two apps would share them); global settings as they are.
 *
 * @param schema - the app's schema.
 * @param prefix - the app's prefix, such as `rpc`.
 * @returns the prefixed schema.
 * @throws ImproperlyConfiguredError if the prefix is not a camelCase word.
 * @example
 * ```ts
 * const schema = { ...prefixSchema(rpcSchema, 'rpc'), ...prefixSchema(webSchema, 'web') };
 * const { values } = loadConfig({ schema, argv: ['--rpc-workers', '2'] });
 * unprefixValues(values, rpcSchema, 'rpc').workers; // 2
 * ```
 */
export function prefixSchema(schema: Schema, prefix: string): Schema {
  checkPrefix(prefix);
  const out: Schema = {};
  for (const [key, setting] of Object.entries(schema)) {
    if (setting.global === true) {
      out[key] = setting;
    } else {
      const { short: _short, ...rest }: Setting = setting;
      out[prefixKey(prefix, key)] = rest;
    }
  }
  return out;
}

/**
 * An app's own values (or sources) out of a record keyed by the prefixed schema.
 *
 * @param record - `values` or `sources` of a load of a prefixed schema.
 * @param schema - the app's (unprefixed) schema.
 * @param prefix - the app's prefix.
 * @returns the entries of `schema`'s keys, under the app's own names.
 * @example
 * ```ts
 * unprefixValues({ rpcWorkers: 2, logLevel: 'info' }, schema, 'rpc'); // { workers: 2, logLevel: 'info' }
 * ```
 */
export function unprefixValues<T>(
  record: Readonly<Record<string, T>>,
  schema: Schema,
  prefix: string,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const from = setting.global === true ? key : prefixKey(prefix, key);
    if (Object.hasOwn(record, from)) out[key] = record[from]!;
  }
  return out;
}
