/**
 * Read an application's configuration and apply the global settings
 * (logging, pid file). `--help` prints every setting and exits 0; a bad
 * setting prints one line per problem and exits 2, without a stack trace.
 * @module
 */
import { configureLogging, type LogLevel } from '../log/createLogger.js';
import { ConfigError } from '../errors.js';
import { helpText } from '../config/helpText.js';
import { loadConfig } from '../config/loadConfig.js';
import { writePidFile } from '../config/pidFile.js';
import { appSettings, globalSettings } from '../config/settings.js';
import type { Schema } from '../config/Setting.js';
import { getCliContext } from './cliContext.js';

/** What reading a configuration needs of its owner (an app, a MultiApp). */
export interface ConfigOwner {
  readonly name: string;
  readonly params: Record<string, unknown>;
}

/** What `configureApplication` needs of the app. */
export interface Configurable extends ConfigOwner {
  schema(): Schema;
}

/**
 * The full schema of an app: global settings, app settings, its own.
 * @param app - the application.
 * @returns the schema.
 */
export function appSchema(app: Configurable): Schema {
  return { ...globalSettings, ...appSettings, ...app.schema() };
}

/**
 * The parameters of `app` that are settings of `schema`.
 * @param app - the application.
 * @param schema - its schema.
 * @returns those parameters.
 */
export function settingParams(app: Configurable, schema: Schema): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(app.params)) if (key in schema) params[key] = value;
  return params;
}

/**
 * @param app - the application.
 * @returns the resolved configuration (durations in ms).
 */
export function configureApplication(app: Configurable): Record<string, unknown> {
  const schema = appSchema(app);
  return readConfiguration(app, schema, settingParams(app, schema));
}

/**
 * Read a configuration: `--help` prints it and exits 0; a ConfigError
 * prints its lines and exits 2 (unless `exitOnConfigError: false`); then
 * logging and the pid file are set up.
 *
 * @param owner - the app (or MultiApp): its name and `argv`/`exitOnConfigError` params.
 * @param schema - every setting.
 * @param params - constructor parameters, keyed like the schema.
 * @returns the values.
 */
export function readConfiguration(
  owner: ConfigOwner,
  schema: Schema,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const given = owner.params['argv'];
  const argv = Array.isArray(given)
    ? (given as string[])
    : (getCliContext()?.argv ?? process.argv.slice(2));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText(schema, { program: `rxpulsar <${owner.name} module>` })}\n`);
    process.exit(0);
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = loadConfig({ schema, params, argv, env: process.env }));
  } catch (err) {
    if (err instanceof ConfigError && owner.params['exitOnConfigError'] !== false) {
      process.stderr.write(`${err.message}\n`);
      process.exit(err.exitCode);
    }
    throw err;
  }
  configureLogging({
    level: values['debug'] === true ? 'debug' : (values['logLevel'] as LogLevel),
    format: values['logFormat'] as 'text' | 'json',
  });
  if (typeof values['pidFile'] === 'string') {
    try {
      writePidFile(values['pidFile']);
    } catch (err) {
      // A pid file held by a live process is a configuration problem: exit 2.
      if (owner.params['exitOnConfigError'] === false) throw err;
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    }
  }
  return values;
}
