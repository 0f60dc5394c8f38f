/**
 * The method table of a JSON-RPC server, read from an object or a class
 * instance.
 * @module
 */
import type { JsonRpcMethod } from './protocol.js';

/**
 * The public methods of `source`, bound to it: its own function-valued
 * properties and those of its prototype chain up to (not including)
 * `Object.prototype`, without `constructor` and without names that start
 * with `_`. A name defined lower in the chain (a subclass's override, an own
 * property) wins; a getter or a plain value hides a method of the same name
 * further up. `#private` methods are never visible; TypeScript `private` is
 * erased at run time, so name such methods `_like_this` to keep them out.
 *
 * @param source - a plain object of functions or a class instance.
 * @returns the methods by name, each bound to `source`.
 * @example
 * ```ts
 * class Calc { add(a: number, b: number) { return a + b; } _log() {} }
 * [...collectMethods(new Calc()).keys()]; // ['add']
 * ```
 */
export function collectMethods(source: object): Map<string, JsonRpcMethod> {
  const methods = new Map<string, JsonRpcMethod>();
  const seen = new Set<string>();
  let level: object | null = source;
  while (level !== null && level !== Object.prototype && level !== Function.prototype) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (name === 'constructor' || name.startsWith('_')) continue;
      const value: unknown = Object.getOwnPropertyDescriptor(level, name)?.value;
      if (typeof value === 'function') {
        methods.set(name, (value as JsonRpcMethod).bind(source));
      }
    }
    level = Object.getPrototypeOf(level) as object | null;
  }
  return methods;
}
