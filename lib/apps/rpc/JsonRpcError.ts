/**
 * The error of the JSON-RPC 2.0 app: thrown by a method to answer with a
 * chosen error object, and thrown by the client proxy when the server
 * answers with one.
 * @module
 */
import type { JsonRpcErrorObject } from './protocol.js';

/**
 * A JSON-RPC 2.0 error: an integer `code`, a `message` and optional `data`,
 * exactly what travels in a response's `error` member.
 *
 * Its `code` is the JSON-RPC integer, not an `RXP_ERR_…` string, so it is not
 * an `RxPulsarError`. The standard codes are static constants; codes from
 * -32768 to -32000 are reserved by the specification, any other integer is
 * free for application errors.
 *
 * @example
 * ```ts
 * const rpc = new JsonRpc({
 *   withdraw(amount: number) {
 *     if (amount > balance) throw new JsonRpcError(402, 'Insufficient funds', { balance });
 *     return (balance -= amount);
 *   },
 * });
 * ```
 */
export class JsonRpcError extends Error {
  /** Invalid JSON was received by the server. */
  static readonly PARSE_ERROR = -32700;
  /** The JSON sent is not a valid Request object. */
  static readonly INVALID_REQUEST = -32600;
  /** The method does not exist or is not available. */
  static readonly METHOD_NOT_FOUND = -32601;
  /** Invalid method parameter(s). */
  static readonly INVALID_PARAMS = -32602;
  /** Internal JSON-RPC error, or a method that threw a plain error. */
  static readonly INTERNAL_ERROR = -32603;

  /** The JSON-RPC error code (an integer). */
  readonly code: number;
  /** Extra information for the client, sent as the error's `data` member. */
  readonly data?: unknown;

  /**
   * @param code - the JSON-RPC error code (an integer).
   * @param message - a short description, sent to the client.
   * @param data - optional JSON-serializable details, sent to the client.
   * @param options - `cause`: the error behind this one (never sent).
   */
  constructor(code: number, message: string, data?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JsonRpcError';
    this.code = code;
    if (data !== undefined) this.data = data;
  }

  /**
   * The error object of a response: `code`, `message` and `data` when set.
   *
   * @returns the JSON-RPC error object.
   * @example
   * ```ts
   * new JsonRpcError(-32601, 'Method not found').toJSON(); // { code: -32601, message: '…' }
   * ```
   */
  toJSON(): JsonRpcErrorObject {
    const error: JsonRpcErrorObject = { code: this.code, message: this.message };
    if (this.data !== undefined) error.data = this.data;
    return error;
  }

  /**
   * The error described by a response's error object.
   *
   * @param error - the `error` member of a JSON-RPC response.
   * @returns a JsonRpcError with the same code, message and data.
   * @example
   * ```ts
   * throw JsonRpcError.from(response.error);
   * ```
   */
  static from(error: JsonRpcErrorObject): JsonRpcError {
    return new JsonRpcError(error.code, error.message, error.data);
  }
}
