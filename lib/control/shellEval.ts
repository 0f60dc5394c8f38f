/**
 * What `rxpulsar shell` runs on the actor it is attached to (the arbiter,
 * or the actor it `.enter`ed): evaluate a line of JavaScript with top-level
 * await, or list completions. Both are self-contained functions, so they
 * travel to a process or thread actor with the built-in `run` command.
 * @module
 */
import type { Actor } from '../actor/Actor.js';

/** How to evaluate and show a result. */
export interface ShellEvalOptions {
  /** Terminal width, for `util.inspect`'s line breaks (default 80). */
  columns?: number;
  /** ANSI colours in the text. */
  colors?: boolean;
  /** Also give the result as JSON, when it has a JSON form. */
  json?: boolean;
  /** Longest a synchronous evaluation may run, in ms (default 5000). */
  syncTimeout?: number;
}

/** The outcome of one evaluation. */
export interface ShellResult {
  /** The result (or the error) as `util.inspect` shows it. */
  text: string;
  /** The result as JSON text, when asked and possible. */
  json?: string;
  /** `true` when the code threw (or its promise rejected). */
  thrown?: boolean;
  /** `true` for an incomplete input (an open bracket…): the REPL reads more lines. */
  recoverable?: boolean;
}

/**
 * Evaluate `source` in the shell context of `actor` (created on first use
 * and kept in `actor.extra`, so variables live from one line to the next).
 * Globals: `actor`, `arbiter` (in the arbiter), `send`, `spawn`,
 * `getActor`, `require`, `process`, `console`, `Buffer`, timers (whose
 * callbacks cannot throw into the actor). A thenable result is awaited.
 * It never throws: an error comes back as `{ thrown: true, text }`.
 *
 * @param actor - the actor to evaluate in.
 * @param source - the code: an expression or statements; `await` allowed at top level.
 * @param options - width, colours, JSON.
 * @returns the result.
 * @example
 * ```ts
 * await shellEval(arbiter, 'await send("arbiter", "ping")'); // { text: "'pong'" }
 * ```
 */
export async function shellEval(
  actor: Actor,
  source: string,
  options: ShellEvalOptions = {},
): Promise<ShellResult> {
  /* Self-contained: this function travels by its source to other actors. */
  const vm = process.getBuiltinModule('node:vm');
  const util = process.getBuiltinModule('node:util');
  const extra = actor.extra;
  let context = extra['__rxpulsarShell'] as Record<string, unknown> | undefined;
  if (context === undefined) {
    const guard =
      (timer: (cb: () => void, ...rest: unknown[]) => unknown) =>
      (cb: unknown, ...rest: unknown[]) =>
        timer(
          () => {
            try {
              if (typeof cb === 'function') (cb as (...a: unknown[]) => unknown)(...rest.slice(1));
            } catch (err) {
              actor.logger.error(`a shell timer threw: ${String(err)}`);
            }
          },
          ...rest.slice(0, 1),
        );
    const a = actor as unknown as Record<string, (...args: unknown[]) => unknown>;
    const globals: Record<string, unknown> = {
      actor,
      getActor: () => actor,
      send: (target: unknown, action: unknown, ...args: unknown[]) =>
        a['send']!.call(actor, target, action, ...args),
      spawn: actor.isArbiter()
        ? (params: unknown) => a['spawn']!.call(actor, params)
        : (params: unknown) => actor.send('arbiter', 'spawn', params),
      require: process.getBuiltinModule('node:module').createRequire(`${process.cwd()}/shell.js`),
      process,
      console,
      Buffer,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      AbortController,
      structuredClone,
      queueMicrotask,
      performance,
      fetch,
      setTimeout: guard(setTimeout as never),
      setInterval: guard(setInterval as never),
      setImmediate: (cb: unknown, ...args: unknown[]) => guard(setTimeout as never)(cb, 0, ...args),
      clearTimeout,
      clearInterval,
    };
    if (actor.isArbiter()) globals['arbiter'] = actor;
    context = vm.createContext(globals);
    extra['__rxpulsarShell'] = context;
  }
  // What the shell's code leaves running (a promise rejected with nobody
  // listening, a callback that throws) must not end the process: every line
  // runs in an async context of the shell's, so such errors are told apart
  // and logged; any other still ends the process as Node's default does,
  // unless someone else listens.
  const key = Symbol.for('rxpulsar.shell');
  const g = globalThis as Record<symbol, unknown>;
  let als = g[key] as { run<R>(store: true, fn: () => R): R; getStore(): unknown } | undefined;
  if (als === undefined) {
    const store = new (process.getBuiltinModule('node:async_hooks').AsyncLocalStorage)<true>();
    als = store;
    g[key] = store;
    const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
    const lenient = /--unhandled-rejections[= ](warn|none|warn-with-error-code)/.test(flags);
    process.on('unhandledRejection', (reason) => {
      if (store.getStore() === true)
        actor.logger.warn(`the shell left a rejected promise: ${String(reason)}`);
      else if (!lenient && process.listenerCount('unhandledRejection') === 1) throw reason;
    });
    process.on('uncaughtException', (err) => {
      if (store.getStore() === true) {
        actor.logger.error(`the shell's code threw: ${String(err)}`);
        return;
      }
      if (process.listenerCount('uncaughtException') > 1) return;
      // As Node does without a listener: print it and exit 1.
      process.stderr.write(`${util.inspect(err)}\n`);
      process.exit(1);
    });
  }
  const inShell = als;
  const show = (value: unknown): string =>
    util.inspect(value, {
      colors: options.colors === true,
      breakLength: options.columns ?? 80,
      depth: 4,
    });
  // `await import('node:os')` as in a module of the actor's process; asked
  // for only by a line that imports (Node 20 warns once that it is experimental).
  const imports = /\bimport\s*\(/.test(source)
    ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
    : {};
  const run = (code: string): unknown =>
    inShell.run(true, (): unknown =>
      vm.runInContext(code, context, {
        filename: 'shell',
        timeout: options.syncTimeout ?? 5000,
        ...imports,
      }),
    );
  let value: unknown;
  try {
    if (!/\bawait\b/.test(source)) {
      value = run(source);
    } else {
      // `const x = await f()` keeps x for the next lines: it becomes a global of the context.
      const decl = /^\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;]*?);?\s*$/.exec(source);
      const body = decl === null ? source : `(${decl[1]} = (${decl[2]}), undefined)`;
      try {
        value = run(`(async () => (${body}\n))()`);
      } catch (err) {
        if ((err as { name?: unknown } | null)?.name !== 'SyntaxError') throw err;
        value = run(`(async () => {${body}\n})()`);
      }
    }
    const thenable = value as { then?: unknown } | null | undefined;
    if (thenable !== null && thenable !== undefined && typeof thenable.then === 'function') {
      value = await value;
    }
  } catch (err) {
    // Errors made in the shell's context are of another realm: no instanceof.
    const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
    const recoverable =
      e['name'] === 'SyntaxError' &&
      /Unexpected end of input|Unterminated template|missing \) after/.test(
        typeof e['message'] === 'string' ? e['message'] : '',
      );
    let text = show(err);
    if (typeof e['message'] === 'string') {
      // The frames of the shell's code only, not those of the shell itself.
      const frames = (typeof e['stack'] === 'string' ? e['stack'] : '')
        .split('\n')
        .filter((l) => /^\s+at /.test(l));
      const end = frames.findIndex((l) => /node:vm|runInContext|shellEval/.test(l));
      const own = frames.slice(0, end < 0 ? frames.length : end);
      text = [
        `${typeof e['name'] === 'string' ? e['name'] : 'Error'}: ${e['message']}`,
        ...own,
      ].join('\n');
    }
    return { text: `Uncaught ${text}`, thrown: true, recoverable };
  }
  const result: ShellResult = { text: show(value) };
  if (options.json === true) {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) result.json = json;
    } catch {
      // no JSON form (a cycle, a BigInt): the text stands
    }
  }
  return result;
}

/**
 * Completions for the end of a shell line: the globals of the shell
 * context, or the properties of the expression before the last dot (a
 * plain `a.b.c` path only: nothing is called).
 *
 * @param actor - the actor whose shell context to look in.
 * @param line - the line up to the cursor.
 * @returns `[completions, the fragment they complete]`, as node:repl's completer wants.
 * @example
 * ```ts
 * shellComplete(arbiter, 'arbiter.mon'); // [['arbiter.monitors'], 'arbiter.mon']
 * ```
 */
export function shellComplete(actor: Actor, line: string): [string[], string] {
  /* Self-contained: this function travels by its source to other actors. */
  const vm = process.getBuiltinModule('node:vm');
  const context = actor.extra['__rxpulsarShell'] as Record<string, unknown> | undefined;
  const fragment = /[\w$.]*$/.exec(line)?.[0] ?? '';
  const dot = fragment.lastIndexOf('.');
  const expr = dot < 0 ? '' : fragment.slice(0, dot);
  const partial = fragment.slice(dot + 1);
  const names = new Set<string>();
  // Nothing to look in yet, or a property of something that would have to be called.
  if (context === undefined || fragment.startsWith('.')) return [[], fragment];
  if (expr === '') {
    for (const name of Object.getOwnPropertyNames(context)) names.add(name);
    for (const name of ['await', 'const', 'let', 'function', 'return', 'typeof']) names.add(name);
  } else if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(expr)) {
    let target: unknown;
    try {
      target = vm.runInContext(expr, context, { timeout: 200 });
    } catch {
      return [[], fragment];
    }
    for (let o = target; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
      if (o === Object.prototype) break;
      for (const name of Object.getOwnPropertyNames(o))
        if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  const prefix = expr === '' ? '' : `${expr}.`;
  const hits = [...names].filter((n) => n.startsWith(partial) && !n.startsWith('__')).sort();
  return [hits.map((n) => prefix + n), fragment];
}
