import { EncodingError } from '../errors.js';
import { MAX_DEPTH } from './constants.js';

/** One step of the path from the root of a value to where the walk failed. */
interface Step {
  /** `.foo`, `["a b"]`, `[3]`, `.get("k")`… */
  readonly text: string;
  /** Whether `text` is `.identifier`, whose dot is dropped at the start of a path. */
  readonly ident: boolean;
  /** The container this step leaves from (used to find cycles). */
  readonly container: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Internal: a failure of {@link encode} or {@link decode} on its way up. The
 * walk throws it where a value cannot be handled; each container it unwinds
 * through adds its step, so the happy path never builds a path at all. The
 * entry points turn it into an `EncodingError` naming the path.
 *
 * @example
 * ```ts
 * throw new CodecFailure((at) => `cannot encode a Symbol at ${at}`);
 * ```
 */
export class CodecFailure extends Error {
  /** Steps, innermost first (they are added while unwinding). */
  readonly steps: Step[] = [];

  /**
   * @param describe - builds the message from the formatted path.
   * @param tooDeep - the walk went past {@link MAX_DEPTH}: a cycle, or a very deep value.
   */
  constructor(
    readonly describe: (at: string) => string,
    readonly tooDeep = false,
  ) {
    super('codec failure');
  }

  /**
   * Adds a step to a failure passing through a container; any other error
   * is returned untouched. Meant for `catch (err) { throw CodecFailure.at(…) }`.
   *
   * @param err - the caught error.
   * @param key - a property name, an array index, or a ready step such as `.get("k")`.
   * @param container - the object the step leaves from.
   * @param raw - `key` is already formatted.
   * @returns `err`, to be rethrown.
   */
  static at(err: unknown, key: string | number, container: unknown, raw = false): unknown {
    if (err instanceof CodecFailure) err.steps.push(step(key, container, raw));
    return err;
  }

  /**
   * @param key - the key of a Map entry (a primitive is shown, an object is not).
   * @param index - the entry's position.
   * @returns The step to a Map value: `.get("k")`, `.get(3)`, `.get(<key #2>)`.
   */
  static mapValue(key: unknown, index: number): string {
    if (typeof key === 'string') return `.get(${JSON.stringify(key)})`;
    if (typeof key === 'bigint') return `.get(${key}n)`;
    if (typeof key === 'object' || typeof key === 'function' || typeof key === 'symbol') {
      return `.get(<key #${index}>)`;
    }
    if (typeof key === 'number' || typeof key === 'boolean') return `.get(${String(key)})`;
    return `.get(${key === null ? 'null' : 'undefined'})`;
  }

  /**
   * @param what - `encode` or `decode`, for the depth message.
   * @returns The `EncodingError` to show the user.
   */
  toError(what: 'encode' | 'decode'): EncodingError {
    const steps = [...this.steps].reverse();
    if (!this.tooDeep) return new EncodingError(this.describe(formatPath(steps)));
    const seen = new Map<unknown, number>();
    for (const [k, s] of steps.entries()) {
      const first = seen.get(s.container);
      if (first !== undefined) {
        const at = formatPath(steps.slice(0, k));
        return new EncodingError(
          `cannot ${what} a circular reference at ${at}: it points back to ${formatPath(steps.slice(0, first))}`,
        );
      }
      seen.set(s.container, k);
    }
    const at = formatPath(steps);
    return new EncodingError(
      `cannot ${what} a value nested deeper than ${MAX_DEPTH} levels at ${at}`,
    );
  }
}

function step(key: string | number, container: unknown, raw: boolean): Step {
  if (typeof key === 'number') return { text: `[${key}]`, ident: false, container };
  if (raw) return { text: key, ident: false, container };
  if (IDENTIFIER.test(key)) return { text: `.${key}`, ident: true, container };
  return { text: `[${JSON.stringify(key)}]`, ident: false, container };
}

/** `args[1].foo`; `(root)` for the value itself, or before a step such as `.get(…)`. */
function formatPath(steps: readonly Step[]): string {
  const first = steps[0];
  if (first === undefined) return '(root)';
  const rest = steps.map((s) => s.text).join('');
  if (first.ident) return rest.slice(1);
  return first.text.startsWith('[') ? rest : `(root)${rest}`;
}
