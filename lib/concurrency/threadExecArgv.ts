/**
 * The Node flags a worker thread accepts. A thread inherits the arbiter's
 * `execArgv` (so that loaders given with `--import` run in it too), but
 * Node refuses process-wide flags there (`--max-old-space-size`,
 * `--expose-gc`, `--stack-size`, `--title`…) with
 * `ERR_WORKER_INVALID_EXEC_ARGV`, naming them. Those are dropped, once per
 * distinct `execArgv` (`refused()` reads the refusal, `rememberThreadExecArgv()`
 * keeps the outcome); the rest is kept.
 * @module
 */

const accepted = new Map<string, readonly string[]>();

/**
 * The flags of `execArgv` a thread accepts, as learnt so far (all of them
 * until a thread refused some).
 *
 * @param execArgv - the flags to start a thread with.
 * @returns the same flags, minus those a thread refused.
 * @example
 * ```ts
 * new Worker(entry, { execArgv: threadExecArgv(process.execArgv) });
 * ```
 */
export function threadExecArgv(execArgv: readonly string[]): string[] {
  return [...(accepted.get(execArgv.join('\0')) ?? execArgv)];
}

/**
 * Learn from a refusal: drop the flags Node named (and the value that
 * follows a flag given without `=`).
 *
 * @param execArgv - the flags given to the thread.
 * @param err - what `new Worker()` threw.
 * @returns the flags to try again with, or `undefined` if `err` is another error.
 * @example
 * ```ts
 * const retry = refused(['--expose-gc', '--import', 'tsx'], err); // ['--import', 'tsx']
 * ```
 */
export function refused(execArgv: readonly string[], err: unknown): string[] | undefined {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof message !== 'string') return undefined;
  const list = message.slice(message.indexOf(':') + 1);
  const invalid = new Set(list.split(',').map((flag) => flag.trim()));
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (!invalid.has(flag)) {
      kept.push(flag);
    } else if (!flag.includes('=') && execArgv[i + 1]?.startsWith('-') === false) {
      i++; // its value
    }
  }
  return kept.length === execArgv.length ? undefined : kept; // nothing recognised: give up
}

/**
 * Remember which flags a thread accepted, so that later threads start with
 * them at the first try.
 *
 * @param given - the flags asked for.
 * @param kept - those the thread started with.
 * @example
 * ```ts
 * rememberThreadExecArgv(process.execArgv, ['--import', 'tsx']);
 * ```
 */
export function rememberThreadExecArgv(given: readonly string[], kept: readonly string[]): void {
  accepted.set(given.join('\0'), [...kept]);
}
