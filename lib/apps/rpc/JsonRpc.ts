/**
 * A JSON-RPC 2.0 server: methods from an object or a class instance, served
 * as a Node request listener (plain `http`, or the HttpServer app).
 * @module
 */
import type { RequestListener } from 'node:http';
import { createLogger } from '../../log/createLogger.js';
import { builtinMethods } from './builtinMethods.js';
import { collectMethods } from './collectMethods.js';
import { JsonRpcError } from './JsonRpcError.js';
import {
  failure,
  isJsonObject,
  isJsonRpcId,
  type JsonRpcErrorObject,
  type JsonRpcId,
  type JsonRpcMethod,
  type JsonRpcResponse,
} from './protocol.js';
import { serveHttp } from './serveHttp.js';

const log = createLogger('jsonrpc');

/** Options of a {@link JsonRpc} server. */
export interface JsonRpcOptions {
  /** The largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodySize?: number;
  /** The name `server_info` reports. Default `'rxpulsar'`. */
  name?: string;
  /** Serve `ping`, `echo`, `server_info` and `functions_list`. Default true. */
  builtins?: boolean;
  /** Extra fields merged into `server_info` (such as the serving actor's). */
  info?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** One mebibyte: the default body limit. */
const MiB = 1024 * 1024;

/**
 * A JSON-RPC 2.0 server. Its {@link JsonRpc.listener} answers `POST`
 * requests whose body is a request, a notification or a batch.
 *
 * - Methods come from a plain object or a class instance: the public methods
 *   of the instance and of its prototype chain up to `Object`, without the
 *   constructor and without names starting with `_`, bound to the instance.
 *   They may be async.
 * - Params by position (an array) are spread into the method's arguments;
 *   params by name (an object) are passed as its single argument; no params
 *   means no arguments. Any other params value is an Invalid params error.
 * - A method that throws a {@link JsonRpcError} answers with that error; any
 *   other error answers -32603 with the error's message (never its stack,
 *   which is logged on the server instead).
 * - Built-ins: `ping`, `echo`, `server_info`, `functions_list`; a method of
 *   the same name given by the user replaces a built-in.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const rpc = new JsonRpc({ add: (a: number, b: number) => a + b });
 * createServer(rpc.listener).listen(8060, '127.0.0.1');
 * // POST {"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}
 * //   → {"jsonrpc":"2.0","result":3,"id":1}
 * ```
 */
export class JsonRpc {
  /** The Node request listener serving this server's methods. */
  readonly listener: RequestListener;
  /** The largest request body accepted, in bytes. */
  readonly maxBodySize: number;
  private readonly methods: Map<string, JsonRpcMethod>;

  /**
   * @param source - the methods: a plain object of functions or a class instance.
   * @param options - body limit, name, built-ins and extra `server_info` fields.
   */
  constructor(source: Record<string, JsonRpcMethod> | object, options: JsonRpcOptions = {}) {
    this.maxBodySize = options.maxBodySize ?? MiB;
    const own = collectMethods(source);
    const builtins = builtinMethods({
      name: options.name ?? 'rxpulsar',
      methodNames: () => this.methodNames,
      ...(options.info && { info: options.info }),
    });
    this.methods = options.builtins === false ? own : new Map([...builtins, ...own]);
    this.listener = (req, res) => {
      void serveHttp(req, res, this.maxBodySize, (message) => this.dispatch(message));
    };
  }

  /**
   * The Node request listener, for APIs that expect a factory.
   *
   * @returns {@link JsonRpc.listener}.
   * @example
   * ```ts
   * createServer(new JsonRpc(new Calculator()).handler());
   * ```
   */
  handler(): RequestListener {
    return this.listener;
  }

  /**
   * The sorted names of the methods served, built-ins included.
   *
   * @example
   * ```ts
   * new JsonRpc({ add }).methodNames; // ['add', 'echo', 'functions_list', 'ping', 'server_info']
   * ```
   */
  get methodNames(): string[] {
    return [...this.methods.keys()].sort();
  }

  /**
   * Calls a method as a request would, without a transport.
   *
   * @param method - the method's name.
   * @param params - an array (positional), an object (by name) or undefined.
   * @returns what the method returns (awaited).
   * @throws JsonRpcError -32601 for an unknown method, -32602 for params
   *   that are neither an array nor an object; whatever the method throws.
   * @example
   * ```ts
   * await rpc.call('add', [1, 2]); // 3
   * ```
   */
  async call(method: string, params?: unknown): Promise<unknown> {
    const fn = this.methods.get(method);
    if (fn === undefined) {
      throw new JsonRpcError(JsonRpcError.METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
    if (params === undefined) return await fn();
    if (Array.isArray(params)) return await fn(...(params as unknown[]));
    if (isJsonObject(params)) return await fn(params);
    throw new JsonRpcError(
      JsonRpcError.INVALID_PARAMS,
      'Invalid params: params must be an array or an object',
    );
  }

  /**
   * Answers a parsed JSON-RPC message: a request, a notification or a batch.
   * Batch members run concurrently and their responses keep the batch's order.
   *
   * @param message - the parsed body of a request.
   * @returns the response, the array of responses of a batch, or `undefined`
   *   when there is nothing to answer (a notification, a batch of them).
   * @example
   * ```ts
   * await rpc.dispatch({ jsonrpc: '2.0', method: 'ping', id: 1 });
   * // { jsonrpc: '2.0', result: 'pong', id: 1 }
   * ```
   */
  async dispatch(message: unknown): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (!Array.isArray(message)) return this.dispatchOne(message);
    if (message.length === 0) return invalid(null, 'empty batch');
    const responses = await Promise.all(message.map((member) => this.dispatchOne(member)));
    const answered = responses.filter((response) => response !== undefined);
    return answered.length > 0 ? answered : undefined;
  }

  private async dispatchOne(message: unknown): Promise<JsonRpcResponse | undefined> {
    if (!isJsonObject(message)) return invalid(null, 'a request must be an object');
    const hasId = Object.hasOwn(message, 'id');
    const id = message['id'];
    const replyId = isJsonRpcId(id) ? id : null;
    if (message['jsonrpc'] !== '2.0') return invalid(replyId, 'jsonrpc must be "2.0"');
    const method = message['method'];
    if (typeof method !== 'string') return invalid(replyId, 'method must be a string');
    if (hasId && !isJsonRpcId(id)) return invalid(null, 'id must be a string, a number or null');
    let response: JsonRpcResponse;
    try {
      const result = await this.call(method, message['params']);
      response = { jsonrpc: '2.0', result: result ?? null, id: replyId };
    } catch (err) {
      response = failure(replyId, errorObject(err, method));
    }
    return hasId ? response : undefined;
  }
}

function invalid(id: JsonRpcId, why: string): JsonRpcResponse {
  return failure(id, { code: JsonRpcError.INVALID_REQUEST, message: `Invalid Request: ${why}` });
}

/** The error object sent for what a method threw; the stack stays in the server's log. */
function errorObject(err: unknown, method: string): JsonRpcErrorObject {
  if (err instanceof JsonRpcError) return err.toJSON();
  log.error(`method ${method} failed: ${err instanceof Error ? err.stack : String(err)}`);
  const message = err instanceof Error && err.message !== '' ? err.message : 'Internal error';
  return { code: JsonRpcError.INTERNAL_ERROR, message };
}
