/**
 * Validation of one value against one setting, through convict.
 * @module
 */
import type convict from 'convict';
import { ImproperlyConfiguredError } from '../errors.js';
import { loadConvict } from './formats.js';
import type { Setting } from './Setting.js';

/** The outcome of a {@link SettingCheck}. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; expected: string };

/** Coerces and validates a value of one setting. */
export type SettingCheck = (value: unknown) => CheckResult;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A checker for one setting: a one-key convict config, so each value is
 * coerced (strings from the environment and flags) and validated by convict
 * on its own, and a problem can name the exact source of the bad value.
 *
 * @param key - the setting's key.
 * @param setting - its schema entry.
 * @returns a function giving the coerced value, or what was expected.
 * @throws ImproperlyConfiguredError if convict rejects the setting itself (an unknown format).
 * @example
 * ```ts
 * const check = checkSetting('timeout', appSettings.timeout!);
 * check('2 s'); // { ok: true, value: 2000 }
 * check('soon'); // { ok: false, expected: 'must be a duration: …' }
 * ```
 */
export function checkSetting(key: string, setting: Setting): SettingCheck {
  const item = {
    doc: setting.doc,
    format: setting.format,
    default: setting.default,
    nullable: setting.nullable === true,
  };
  let config: convict.Config<Record<string, unknown>>;
  try {
    config = loadConvict()<Record<string, unknown>>({ [key]: item }, { env: {}, args: [] });
  } catch (err) {
    throw new ImproperlyConfiguredError(`setting ${key}: ${messageOf(err)}`, { cause: err });
  }
  const prefix = `${key}: `;
  return (value) => {
    try {
      config.set(key, value);
      config.validate({ allowed: 'strict' });
      return { ok: true, value: config.get(key) };
    } catch (err) {
      let expected = messageOf(err).replace(/: value was [^\n]*$/, '');
      if (expected.startsWith(prefix)) expected = expected.slice(prefix.length);
      return { ok: false, expected: expected.trim() };
    }
  };
}
