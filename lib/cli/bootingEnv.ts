/**
 * The environment variables that make `rxpulsar test` boot its application
 * first: those of the test suite's settings (`RXPULSAR_WORKERS`…), which
 * only the application reads. Listed here, not derived from the schemas:
 * the command decides before loading them (docs/choices.md, "rxpulsar
 * test: start-up, ninth round"); spec/cli/bootingEnv.spec.ts checks the
 * list against the schemas. Logging's (`LOG_LEVEL`, `LOG_FORMAT`, `DEBUG`)
 * are left out: nothing logs before the application boots, which reads
 * them; and so is any other `RXPULSAR_` name (a benchmark's switch, a
 * spec's), which is no setting.
 * @module
 */

/**
 * The settings' variables that boot the test suite's application.
 * @example
 * ```ts
 * const boots = Object.keys(process.env).some((name) => BOOTING_ENV.has(name));
 * ```
 */
export const BOOTING_ENV: ReadonlySet<string> = new Set([
  'RXPULSAR_CONCURRENCY',
  'RXPULSAR_CONFIG',
  'RXPULSAR_EXIT_TIMEOUT',
  'RXPULSAR_GRACEFUL_TIMEOUT',
  'RXPULSAR_HUB',
  'RXPULSAR_HUB_CA',
  'RXPULSAR_HUB_CERT',
  'RXPULSAR_HUB_KEY',
  'RXPULSAR_HUB_SECRET_FILE',
  'RXPULSAR_MAX_MESSAGE_SIZE',
  'RXPULSAR_MAX_REQUESTS',
  'RXPULSAR_MAX_RESTARTS',
  'RXPULSAR_MAX_WORKERS',
  'RXPULSAR_METRICS',
  'RXPULSAR_MIN_WORKERS',
  'RXPULSAR_NAME',
  'RXPULSAR_ON_RESTART_LIMIT',
  'RXPULSAR_PERIOD',
  'RXPULSAR_PID_FILE',
  'RXPULSAR_REQUEST_TIMEOUT',
  'RXPULSAR_RESTART_COOLDOWN',
  'RXPULSAR_RESTART_WINDOW',
  'RXPULSAR_SPARES',
  'RXPULSAR_TIMEOUT',
  'RXPULSAR_WORKERS',
]);

/** Logging's variables: read by the application, but they need no boot. */
export const LOGGING_ENV: ReadonlySet<string> = new Set([
  'RXPULSAR_LOG_LEVEL',
  'RXPULSAR_LOG_FORMAT',
  'RXPULSAR_DEBUG',
]);
