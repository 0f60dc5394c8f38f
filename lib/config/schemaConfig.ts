/**
 * One convict config per schema: it coerces and validates every value given
 * for a setting (each on its own, so a problem names the exact source of the
 * bad value), and then the merged values, strictly.
 * @module
 */
import type convict from 'convict';
import { ImproperlyConfiguredError } from '../errors.js';
import { loadConvict } from './formats.js';
import type { ConfigValues, Schema } from './Setting.js';

/** The outcome of {@link SchemaConfig.check}. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; expected: string };

/** A schema's convict config. */
export interface SchemaConfig<S extends Schema> {
  /**
   * Coerce `value` (strings from the environment and flags) and validate it
   * for `key`: kept when valid (it is the value of `key` until a later one
   * is), refused and dropped otherwise.
   */
  check(key: keyof S & string, value: unknown): CheckResult;
  /**
   * Validate the merged values with convict (`allowed: 'strict'`) and
   * return them, typed from the schema.
   */
  values(): ConfigValues<S>;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Build the convict config of a schema.
 *
 * @param schema - the settings.
 * @returns its checker and the merged values.
 * @throws ImproperlyConfiguredError if convict rejects the schema itself (an unknown format).
 * @example
 * ```ts
 * const config = schemaConfig(appSettings);
 * config.check('timeout', '2 s'); // { ok: true, value: 2000 }
 * config.check('workers', 'many'); // { ok: false, expected: 'must be an integer >= 0' }
 * config.values().timeout; // 2000
 * ```
 */
export function schemaConfig<S extends Schema>(schema: S): SchemaConfig<S> {
  const items: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    items[key] = {
      doc: setting.doc,
      format: setting.format,
      default: setting.default,
      nullable: setting.nullable === true,
    };
  }
  let config: convict.Config<ConfigValues<S>>;
  try {
    config = loadConvict()<ConfigValues<S>>(items as convict.Schema<ConfigValues<S>>, {
      env: {},
      args: [],
    });
  } catch (err) {
    throw new ImproperlyConfiguredError(`settings: ${messageOf(err)}`, { cause: err });
  }
  // convict's paths are typed from the values; the keys here are the schema's.
  const untyped = config as unknown as convict.Config<Record<string, unknown>>;
  return {
    check(name, value) {
      const key: string = name;
      const previous: unknown = untyped.get(key);
      try {
        untyped.set(key, value);
        untyped.validate({ allowed: 'strict' });
        return { ok: true, value: untyped.get(key) };
      } catch (err) {
        // convict lists every invalid value, one a line: only this key's counts.
        const prefix = `${key}: `;
        const line = messageOf(err)
          .split('\n')
          .find((l) => l.startsWith(prefix));
        if (line === undefined) return { ok: true, value: untyped.get(key) };
        untyped.set(key, previous);
        const expected = line.slice(prefix.length).replace(/: value was .*$/, '');
        return { ok: false, expected: expected.trim() };
      }
    },
    values() {
      config.validate({ allowed: 'strict' });
      return config.getProperties();
    },
  };
}
