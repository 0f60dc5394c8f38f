/**
 * The methods every JSON-RPC server answers unless told not to.
 * @module
 */
import type { JsonRpcMethod } from './protocol.js';

/** What the built-ins need to know about the server that serves them. */
export interface BuiltinContext {
  /** The server's name, reported by `server_info`. */
  readonly name: string;
  /** The names of every method served, built-ins included. */
  methodNames(): string[];
  /** Extra fields for `server_info`, if any. */
  info?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/**
 * The built-in methods: `ping` → `'pong'`; `echo(value)` → `value` (the
 * first positional parameter, or the params object when called by name);
 * `server_info` → `{ name, pid, uptime, methods, node, ...info() }`;
 * `functions_list` → the sorted names of every method.
 *
 * @param context - the server's name, its method names and extra info.
 * @returns the built-in methods by name.
 * @example
 * ```ts
 * const builtins = builtinMethods({ name: 'calc', methodNames: () => ['add'] });
 * builtins.get('ping')?.(); // 'pong'
 * ```
 */
export function builtinMethods(context: BuiltinContext): Map<string, JsonRpcMethod> {
  return new Map<string, JsonRpcMethod>([
    ['ping', () => 'pong'],
    ['echo', (value: unknown) => value],
    [
      'server_info',
      async () => {
        const names = context.methodNames();
        return {
          name: context.name,
          pid: process.pid,
          uptime: process.uptime(),
          methods: names.length,
          node: process.version,
          ...(await context.info?.()),
        };
      },
    ],
    ['functions_list', () => context.methodNames().sort()],
  ]);
}
