/**
 * Constants shared by {@link encode} and {@link decode}: the reserved key that
 * marks a tagged value, and the deepest nesting either will walk.
 *
 * @example
 * ```ts
 * encode(undefined); // → { [TAG]: 'undefined' }, i.e. { "$rxp": "undefined" }
 * ```
 * @module
 */

/**
 * The reserved key of a tagged value: `{ "$rxp": "date", "v": 0 }`.
 *
 * @example
 * ```ts
 * const isTagged = (json: Record<string, unknown>) => json[TAG] !== undefined;
 * ```
 */
export const TAG = '$rxp';

/**
 * How many levels of arrays, objects, Maps, Sets and error causes a value may
 * nest. Both walks recurse, so this bound keeps them clear of the stack limit;
 * past it (a cycle always gets there) they raise an `EncodingError`.
 *
 * @example
 * ```ts
 * encode(deeplyNested); // EncodingError: … nested deeper than 1000 levels at next.next…
 * ```
 */
export const MAX_DEPTH = 1000;
