/**
 * The Node flags a forked child (a process actor, a test runner) starts
 * with: the parent's, minus those that would replace the child's entry.
 * An arbiter started by `node -e '…'` has the script in its `execArgv`:
 * given to `fork()`, the child ran the arbiter's script instead of its entry
 * (and, run as a cluster child, failed in it).
 * @module
 */

/** The options that take the entry's place, followed by their script. */
const WITH_SCRIPT = new Set(['-e', '--eval', '-p', '--print', '-pe']);
/** The same given as `--eval=…`, and the options that run no entry (a REPL, a syntax check). */
const ALONE = /^(?:--(?:eval|print)=|-i$|--interactive$|-c$|--check$)/;

/**
 * @param execArgv - the parent's flags (`process.execArgv`).
 * @returns them without `-e`/`-p` and their script, `-i` or `-c`.
 * @example
 * ```ts
 * childExecArgv(['--enable-source-maps', '-e', 'start()']); // ['--enable-source-maps']
 * ```
 */
export function childExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (WITH_SCRIPT.has(flag)) i++;
    else if (!ALONE.test(flag)) kept.push(flag);
  }
  return kept;
}
