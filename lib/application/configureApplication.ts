/**
 * Read an application's configuration and apply the global settings
 * (logging, pid file). `--help` prints every setting and asks to exit 0; a
 * bad setting prints one line per problem and asks to exit 2, without a
 * stack trace. Asks: {@link requestExit} reports the code, and the command
 * line's exit policy (installed by the package entry) ends the process.
 * @module
 */
import { relative } from 'node:path';
import { configureLogging } from '../log/createLogger.js';
import { ConfigError } from '../errors.js';
import { helpText } from '../config/helpText.js';
import { loadConfig } from '../config/loadConfig.js';
import { writePidFile } from '../config/pidFile.js';
import { standardSettings, type AppSchema, type ApplicationConfig } from '../config/settings.js';
import type { Schema } from '../config/Setting.js';
import { requestExit } from '../util/requestExit.js';
import { CliExit, getCliContext } from './cliContext.js';

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
export function appSchema(app: Configurable): AppSchema {
  // An app's own settings come last: they may override a standard one's
  // default or doc, never its format (see AppSchema).
  return { ...standardSettings, ...app.schema() };
}

/**
 * The constructor parameters of an app that are not settings: those its
 * class and every base class list in their static `constructorParams`.
 *
 * @param app - the application.
 * @returns their names.
 */
function nonSettingParams(app: object): Set<string> {
  const keys = new Set<string>();
  for (let c: unknown = app.constructor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const own = Object.hasOwn(c, 'constructorParams')
      ? (c as { constructorParams?: unknown }).constructorParams
      : undefined;
    if (Array.isArray(own)) for (const key of own as unknown[]) keys.add(String(key));
  }
  return keys;
}

/**
 * The parameters of `app` to read as settings: all but the ones its
 * classes declare (`name`, `module`, `extra`, `callable`…). A key that is
 * neither is refused by `loadConfig` as an unknown setting, with a "did
 * you mean" hint (`bnid` → `bind`).
 *
 * @param app - the application.
 * @param _schema - its schema (unknown keys are `loadConfig`'s to refuse).
 * @returns those parameters.
 */
export function settingParams(app: Configurable, _schema: Schema): Record<string, unknown> {
  const skip = nonSettingParams(app);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(app.params)) if (!skip.has(key)) params[key] = value;
  return params;
}

/**
 * @param app - the application.
 * @returns the resolved configuration (durations in ms).
 */
export function configureApplication(app: Configurable): ApplicationConfig {
  const schema = appSchema(app);
  return readConfiguration(app, schema, settingParams(app, schema));
}

/**
 * Fail on a configuration error: print it and ask to exit 2 when the owner
 * says so (`exitOnConfigError`, the default, outside the CLI); throw it
 * (when nobody exits, or else).
 *
 * @param owner - the app (or MultiApp).
 * @param err - the error.
 * @returns never: the process exits or it throws.
 */
export function refuse(owner: ConfigOwner, err: ConfigError): never {
  if (getCliContext() === undefined && owner.params['exitOnConfigError'] !== false) {
    process.stderr.write(`${err.message}\n`);
    requestExit(err.exitCode);
  }
  throw err;
}

/**
 * Read a configuration: `--help` prints it and asks to exit 0; a
 * ConfigError prints its lines and asks to exit 2, a pid file held by a
 * live process asks to exit 1 (unless `exitOnConfigError: false`, or under
 * the CLI: then they are thrown; they are also thrown when no exit policy
 * ends the process); then logging and the pid file are set up.
 *
 * @param owner - the app (or MultiApp): its name and `argv`/`exitOnConfigError` params.
 * @param schema - every setting.
 * @param params - constructor parameters, keyed like the schema.
 * @returns the values.
 */
export function readConfiguration(
  owner: ConfigOwner,
  schema: AppSchema,
  params: Record<string, unknown>,
): ApplicationConfig {
  const cli = getCliContext();
  const given = owner.params['argv'];
  const argv = Array.isArray(given) ? (given as string[]) : (cli?.argv ?? process.argv.slice(2));
  // Under the CLI nothing here exits: the CLI catches what is thrown, stops
  // every actor and exits with the code (0 after --help, 2, 1).
  const exits = cli === undefined && owner.params['exitOnConfigError'] !== false;
  if (argv.includes('--help') || argv.includes('-h')) {
    // The command as typed, the module relative to here: `rxpulsar hello.js`, `node hello.js`.
    const module = cli?.module ?? process.argv[1];
    const program =
      module === undefined
        ? `rxpulsar <${owner.name} module>`
        : `${cli === undefined ? 'node' : 'rxpulsar'} ${relative(process.cwd(), module) || module}`;
    process.stdout.write(`${helpText(schema, { program })}\n`);
    if (cli === undefined) requestExit(0);
    throw new CliExit(0);
  }
  let values: ApplicationConfig;
  try {
    ({ values } = loadConfig({ schema, params, argv, env: process.env }));
  } catch (err) {
    if (err instanceof ConfigError) refuse(owner, err);
    throw err;
  }
  if (cli !== undefined) cli.debug = values.debug;
  configureLogging({
    level: values.debug ? 'debug' : values.logLevel,
    format: values.logFormat,
  });
  if (values.pidFile !== null) {
    try {
      writePidFile(values.pidFile);
    } catch (err) {
      // A pid file held by a live process: the app cannot start (exit 1).
      if (!exits) throw err;
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      requestExit(1);
      throw err;
    }
  }
  return values;
}
