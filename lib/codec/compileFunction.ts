import { CodecFailure } from './CodecFailure.js';

/** Makes a fresh function from one source each time it is called. */
type Factory = () => unknown;

/** Compiled factories by source: compiling is the costly part, calling is cheap. */
const factories = new Map<string, Factory>();
const CACHE_SIZE = 256;

/**
 * Internal: rebuilds a function from its source (`fn.toString()`), for
 * {@link decode}. Each call returns a new function object, compiled once per
 * source. Accepts every form `toString()` yields: declarations and
 * expressions, arrows, `async`, generators, classes, and method shorthand
 * (`foo() {}`, `async *[key]() {}`, `get x() {}`), which only parses inside an
 * object literal.
 *
 * @example
 * ```ts
 * const add = compileFunction('(a, b = 1) => a + b') as (a: number) => number;
 * add(1); // → 2
 * ```
 * @param src - the source of the function.
 * @returns The rebuilt function.
 * @throws CodecFailure when the source does not evaluate to a function.
 */
export function compileFunction(src: string): unknown {
  let factory = factories.get(src);
  if (factory === undefined) {
    factory = compile(src);
    if (factories.size >= CACHE_SIZE) factories.clear();
    factories.set(src, factory);
  }
  const fn = factory();
  if (typeof fn !== 'function') throw notAFunction(src);
  return fn;
}

function compile(src: string): Factory {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- functions travel by source; rebuilding them is the point (decode refuses them with `functions: false`)
    return new Function(`return (${src}\n);`) as Factory;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  let literal: () => object;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- method shorthand (`foo() {}`) only parses inside an object literal
    literal = new Function(`return {${src}\n};`) as () => object;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return () => {
      throw new CodecFailure(
        (at) => `cannot decode the function at ${at}: its source does not parse (${err.message})`,
      );
    };
  }
  return () => {
    const obj = literal();
    const keys = Reflect.ownKeys(obj);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === undefined) return undefined;
    const desc: { value?: unknown; get?: unknown; set?: unknown } | undefined =
      Object.getOwnPropertyDescriptor(obj, only);
    return desc?.value ?? desc?.get ?? desc?.set;
  };
}

function notAFunction(src: string): CodecFailure {
  const start = src.length > 40 ? `${src.slice(0, 40)}…` : src;
  return new CodecFailure(
    (at) => `cannot decode the function at ${at}: its source is not a function (${start})`,
  );
}
