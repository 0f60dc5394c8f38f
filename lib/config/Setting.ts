/**
 * The shape of a configuration schema: one {@link Setting} per camelCase
 * key. Flags, environment variables and file keys are derived from the key
 * (see `names.ts`), never written by hand, so they cannot drift apart.
 * @module
 */
import type { ConfigSource } from '../errors.js';

/**
 * One setting: its documentation, format and default.
 *
 * `format` is a convict format: a name (`'count'`, `'poolSize'`, `'duration'`
 * (at most `MAX_TIMER_MS`, about 24.8 days), `'longDuration'` (no limit: for
 * a duration no timer waits), `'bool'`, `'bind'`, registered by rxpulsar; or
 * convict's own `'int'`, `'nat'`, `'port'`, `String`, `'*'`), an array of
 * allowed values, or a function that throws on a bad value.
 *
 * @example
 * ```ts
 * const workers: Setting = { doc: 'Worker actors of the app.', format: 'count', default: 1, short: 'w' };
 * ```
 */
export interface Setting {
  /** One sentence for `--help` and the docs. */
  doc: string;
  /** The convict format that validates (and, for strings, parses) a value. */
  format: string | readonly unknown[] | ((value: unknown) => void);
  /** The value when nothing else sets it (durations may be strings such as `'30 seconds'`). */
  default: unknown;
  /** A setting of the whole process: never prefixed in a `MultiApp` (see `prefixSchema`). */
  global?: boolean;
  /** A one-letter flag alias, such as `w` for `-w 4` (dropped when the key is prefixed). */
  short?: string;
  /** `null` is a valid value (it means "not set"). */
  nullable?: boolean;
  /** The placeholder of the value in `--help` (`FILE`, `N`…); derived from the format if absent. */
  placeholder?: string;
}

/**
 * The type of the value a setting yields once loaded, from its format (and
 * `nullable`): `count`, `poolSize`, `duration` and `longDuration` (milliseconds),
 * `int`, `nat`, `port` and `Number` give numbers; `bool` and `Boolean` booleans; `bind` and `String`
 * strings; an array of values one of them; anything else `unknown`.
 *
 * @example
 * ```ts
 * type Workers = SettingValue<{ doc: ''; format: 'count'; default: 1 }>; // number
 * ```
 */
export type SettingValue<S extends Setting> =
  | (S['format'] extends
      | 'count'
      | 'poolSize'
      | 'duration'
      | 'longDuration'
      | 'int'
      | 'nat'
      | 'port'
      | NumberConstructor
      ? number
      : S['format'] extends 'bool' | BooleanConstructor
        ? boolean
        : S['format'] extends 'bind' | StringConstructor
          ? string
          : S['format'] extends readonly (infer V)[]
            ? V
            : unknown)
  | (S['nullable'] extends true ? null : never);

/**
 * The values of a schema once loaded (`loadConfig().values`), typed from
 * the schema: declare a schema `as const satisfies Schema` to get them.
 *
 * @example
 * ```ts
 * const mine = { retries: { doc: 'Retries.', format: 'count', default: 3 } } as const satisfies Schema;
 * type Mine = ConfigValues<typeof mine>; // { retries: number }
 * ```
 */
export type ConfigValues<S extends Schema> = { -readonly [K in keyof S]: SettingValue<S[K]> };

/**
 * A configuration schema: settings by camelCase key. An app extends the
 * standard one by spreading it: `{ ...globalSettings, ...appSettings, mySetting: {…} }`.
 */
export type Schema = Record<string, Setting>;

/** A value given for a setting by one source, before validation. */
export interface ConfigEntry {
  /** The setting's key in the schema being loaded. */
  key: string;
  /** The value as given. */
  value: unknown;
  /** The kind of source. */
  source: ConfigSource;
  /** Exactly where: `file /etc/app.json`, `env RXPULSAR_WORKERS`, `--workers`… */
  origin: string;
}
