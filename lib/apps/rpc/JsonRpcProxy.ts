/**
 * The JSON-RPC 2.0 client: a JS `Proxy` whose properties are remote methods.
 * @module
 */
import { Agent } from 'node:http';
import { ImproperlyConfiguredError, InvalidStateError, ProtocolError } from '../../errors.js';
import { JsonRpcError } from './JsonRpcError.js';
import { postJson, type PostOptions } from './postJson.js';
import {
  isJsonRpcResponse,
  type JsonRpcMethod,
  type JsonRpcParams,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './protocol.js';

/** Options of {@link rpcProxy}. */
export interface RpcProxyOptions {
  /** Your own agent (you close it); by default a keep-alive agent that `$close()` destroys. */
  agent?: Agent;
  /** Milliseconds of socket inactivity before a call fails with `TimeoutError`; 0 (default) waits. */
  timeout?: number;
  /** Extra headers sent with every request (authorization…). */
  headers?: Record<string, string>;
}

/** One call of a {@link RpcProxyControls.$batch}. */
export interface RpcBatchCall {
  /** The remote method's name. */
  method: string;
  /** Its positional or named parameters. */
  params?: JsonRpcParams;
  /** Send as a notification: no response, its result is `undefined`. */
  notify?: boolean;
}

/** The methods of a proxy that are not remote calls (their names start with `$`). */
export interface RpcProxyControls {
  /** Calls `method` with params by position (array) or by name (object). */
  readonly $call: (method: string, params?: JsonRpcParams) => Promise<unknown>;
  /** Sends a notification: resolves once the server has accepted it. */
  readonly $notify: (method: string, params?: JsonRpcParams) => Promise<void>;
  /** Sends calls in one batch; settles each as `Promise.allSettled` does, in order. */
  readonly $batch: (calls: RpcBatchCall[]) => Promise<PromiseSettledResult<unknown>[]>;
  /** Destroys the proxy's own agent and its sockets; later calls reject. */
  readonly $close: () => void;
}

/** The remote methods of `T`, each returning a promise of its awaited result. */
export type RemoteMethods<T> = {
  readonly [K in keyof T as T[K] extends JsonRpcMethod ? K : never]: T[K] extends (
    ...params: infer P
  ) => infer R
    ? (...params: P) => Promise<Awaited<R>>
    : never;
};

/** A client proxy: the remote methods of `T` plus the `$` controls. */
export type RpcProxy<T = Record<string, JsonRpcMethod>> = RemoteMethods<T> & RpcProxyControls;

/** Names a proxy never turns into remote calls (promises, JSON, coercion look them up). */
const RESERVED = new Set(['then', 'catch', 'finally', 'toJSON', 'toString', 'valueOf', 'inspect']);

/**
 * A client for the JSON-RPC 2.0 server at `url`: `await proxy.add(1, 2)`
 * POSTs `{"method":"add","params":[1,2]}` over a keep-alive connection and
 * resolves with the result. Arguments are always sent by position; use
 * `$call(name, { … })` to send them by name, or to call a method whose name
 * is a `$` control or one of `then`, `catch`, `finally`, `toJSON`,
 * `toString`, `valueOf`, `inspect` (which the proxy leaves alone so that it
 * is not mistaken for a promise). An error response rejects with a
 * {@link JsonRpcError} (`code`, `message`, `data`); a response that is not
 * JSON-RPC with a `ProtocolError`; a network failure with Node's error.
 *
 * @param url - the server's `http:` URL.
 * @param options - agent, timeout and extra headers.
 * @returns the proxy; type it with the server's class for typed calls.
 * @example
 * ```ts
 * const calc = rpcProxy<Calculator>('http://127.0.0.1:8061');
 * await calc.add(1, 2); // 3
 * await calc.$call('sum', [1, 2, 3]); // 6
 * calc.$close();
 * ```
 */
export function rpcProxy<T = Record<string, JsonRpcMethod>>(
  url: string | URL,
  options: RpcProxyOptions = {},
): RpcProxy<T> {
  const target = new URL(url);
  if (target.protocol !== 'http:') {
    throw new ImproperlyConfiguredError(`rpcProxy needs an http: URL, not ${target.href}`);
  }
  const ownAgent = options.agent === undefined ? new Agent({ keepAlive: true }) : undefined;
  const post: PostOptions = {
    agent: options.agent ?? (ownAgent as Agent),
    timeout: options.timeout ?? 0,
    headers: options.headers ?? {},
  };
  let nextId = 0;
  let closed = false;

  const exchange = async (body: JsonRpcRequest | JsonRpcRequest[]): Promise<unknown> => {
    if (closed) throw new InvalidStateError(`the proxy of ${target.href} is closed`);
    const { status, text } = await postJson(target, JSON.stringify(body), post);
    if (status === 204 && text === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProtocolError(`HTTP ${status} from ${target.href}: ${text.slice(0, 200)}`);
    }
    if (isJsonRpcResponse(parsed) && 'error' in parsed) throw JsonRpcError.from(parsed.error);
    if (status !== 200) throw new ProtocolError(`HTTP ${status} from ${target.href}`);
    return parsed;
  };
  const request = (method: string, params?: JsonRpcParams, notify = false): JsonRpcRequest => ({
    jsonrpc: '2.0',
    method,
    ...(params !== undefined && { params }),
    ...(!notify && { id: ++nextId }),
  });

  const controls: RpcProxyControls = {
    $call: async (method, params) => {
      const sent = request(method, params);
      const reply = await exchange(sent);
      if (!isJsonRpcResponse(reply) || reply.id !== sent.id) {
        throw new ProtocolError(`no response to ${method} (id ${String(sent.id)}) in the answer`);
      }
      return (reply as { result: unknown }).result;
    },
    $notify: async (method, params) => {
      await exchange(request(method, params, true));
    },
    $batch: async (calls) => {
      if (calls.length === 0) return [];
      const sent = calls.map((call) => request(call.method, call.params, call.notify === true));
      const reply = await exchange(sent);
      const byId = new Map<unknown, JsonRpcResponse>();
      if (Array.isArray(reply)) for (const r of reply) if (isJsonRpcResponse(r)) byId.set(r.id, r);
      return sent.map((req) => settle(req, byId));
    },
    $close: () => {
      closed = true;
      ownAgent?.destroy();
    },
  };

  return new Proxy(controls, {
    get(controlsTarget, name) {
      if (typeof name === 'symbol' || RESERVED.has(name)) return undefined;
      if (Object.hasOwn(controlsTarget, name))
        return controlsTarget[name as keyof RpcProxyControls];
      return (...params: unknown[]) => controls.$call(name, params.length > 0 ? params : undefined);
    },
  }) as RpcProxy<T>;
}

/** The outcome of one batch member, as `Promise.allSettled` reports it. */
function settle(
  req: JsonRpcRequest,
  byId: Map<unknown, JsonRpcResponse>,
): PromiseSettledResult<unknown> {
  if (req.id === undefined) return { status: 'fulfilled', value: undefined };
  const response = byId.get(req.id);
  if (response === undefined) {
    const reason = new ProtocolError(`no response to ${req.method} (id ${req.id}) in the batch`);
    return { status: 'rejected', reason };
  }
  if ('error' in response) return { status: 'rejected', reason: JsonRpcError.from(response.error) };
  return { status: 'fulfilled', value: response.result };
}
