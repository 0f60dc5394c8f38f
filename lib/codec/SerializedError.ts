/**
 * The JSON-safe form of an error, as produced by {@link serializeError} and
 * read by {@link deserializeError}.
 *
 * @example
 * ```ts
 * const s: SerializedError = { name: 'TimeoutError', code: 'RXP_ERR_TIMEOUT', message: 'late' };
 * ```
 */
export interface SerializedError {
  /** The error's `name`, such as `TypeError` or `TimeoutError`. */
  name: string;
  /** The error's `message`. */
  message: string;
  /** The error's `code` when it is a string (`RXP_ERR_TIMEOUT`, `ENOENT`…). */
  code?: string;
  /** The remote stack, kept as it was thrown. */
  stack?: string;
  /** The cause, when it is an error. */
  cause?: SerializedError;
  /** The cause, encoded, when it is any other value (a string, an object…). */
  causeValue?: unknown;
  /** The other own enumerable properties of the error, each value encoded. */
  data?: Record<string, unknown>;
}
