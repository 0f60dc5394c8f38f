/**
 * What a command line's parse error says to a user.
 * @module
 */

/**
 * @param err - what `util.parseArgs` (or a command's own check) threw.
 * @returns its message; for an unknown flag `unknown option --bogus`, not
 *   node's text about positionals (which ends with a stray quote).
 * @example
 * ```ts
 * process.stderr.write(`rxpulsar ps: ${argsError(err)}\n`); // rxpulsar ps: unknown option --bogus
 * ```
 */
export function argsError(err: unknown): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(err);
  const option = /'(-[^']*)'/.exec(text)?.[1];
  return code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined
    ? `unknown option ${option}`
    : text;
}
