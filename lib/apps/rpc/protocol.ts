/**
 * The shapes of JSON-RPC 2.0 messages (https://www.jsonrpc.org/specification)
 * and the checks the server and the client share.
 * @module
 */

/** A request id: a string, a number, or `null` (discouraged by the specification). */
export type JsonRpcId = string | number | null;

/** Parameters: by position (an array) or by name (an object). */
export type JsonRpcParams = unknown[] | Record<string, unknown>;

/**
 * A method served over JSON-RPC. Its parameters come from JSON, so each
 * method declares their types itself (and checks them when it matters).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by each method, not here
export type JsonRpcMethod = (...params: any[]) => unknown;

/** A request (with an `id`) or a notification (without). */
export interface JsonRpcRequest {
  /** The protocol version, always `'2.0'`. */
  jsonrpc: '2.0';
  /** The method to call. */
  method: string;
  /** Its positional or named parameters. */
  params?: JsonRpcParams;
  /** The request id; absent for a notification. */
  id?: JsonRpcId;
}

/** The `error` member of a failed response. */
export interface JsonRpcErrorObject {
  /** The JSON-RPC error code (-32700 … -32000, or the application's). */
  code: number;
  /** A short description. */
  message: string;
  /** Anything more the server tells. */
  data?: unknown;
}

/** A successful response. */
export interface JsonRpcSuccess {
  /** The protocol version, always `'2.0'`. */
  jsonrpc: '2.0';
  /** What the method returned. */
  result: unknown;
  /** The id of the request answered. */
  id: JsonRpcId;
}

/** A failed response. */
export interface JsonRpcFailure {
  /** The protocol version, always `'2.0'`. */
  jsonrpc: '2.0';
  /** What went wrong. */
  error: JsonRpcErrorObject;
  /** The id of the request answered (`null` when it could not be read). */
  id: JsonRpcId;
}

/** Any response. */
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;

/**
 * Whether a value is a plain JSON object (not an array, not `null`).
 *
 * @param value - any parsed JSON value.
 * @returns true for objects that are neither arrays nor null.
 * @example
 * ```ts
 * isJsonObject({ a: 1 }); // true
 * isJsonObject([1]); // false
 * ```
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a value is a valid request id (string, number or null).
 *
 * @param value - the `id` member of a request.
 * @returns true when the specification allows it.
 * @example
 * ```ts
 * isJsonRpcId(7); // true
 * isJsonRpcId({}); // false
 * ```
 */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || typeof value === 'number';
}

/**
 * A failed response.
 *
 * @param id - the request's id (`null` when it could not be read).
 * @param error - the error object.
 * @returns the response object.
 * @example
 * ```ts
 * failure(null, { code: -32700, message: 'Parse error' });
 * ```
 */
export function failure(id: JsonRpcId, error: JsonRpcErrorObject): JsonRpcFailure {
  return { jsonrpc: '2.0', error, id };
}

/**
 * Whether a parsed value has the shape of a JSON-RPC 2.0 response.
 *
 * @param value - a parsed JSON value.
 * @returns true for `{ jsonrpc: '2.0', id, result }` or `{ jsonrpc: '2.0', id, error }`.
 * @example
 * ```ts
 * if (!isJsonRpcResponse(body)) throw new ProtocolError('not a JSON-RPC response');
 * ```
 */
export function isJsonRpcResponse(value: unknown): value is JsonRpcResponse {
  if (!isJsonObject(value) || value['jsonrpc'] !== '2.0' || !isJsonRpcId(value['id'])) return false;
  if ('result' in value) return true;
  const error = value['error'];
  return (
    isJsonObject(error) && typeof error['code'] === 'number' && typeof error['message'] === 'string'
  );
}
