/**
 * The HTTP side of the JSON-RPC server: method and size checks, parsing,
 * and writing the answer.
 * @module
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createLogger } from '../../log/createLogger.js';
import { JsonRpcError } from './JsonRpcError.js';
import { failure, type JsonRpcResponse } from './protocol.js';
import { readBody } from './readBody.js';

const log = createLogger('jsonrpc');

/** Answers a parsed message: a response, responses, or nothing. */
export type Dispatch = (
  message: unknown,
) => Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>;

/**
 * Serves one HTTP request: 405 (with `Allow: POST`) unless it is a POST,
 * 413 (and the connection closed) when the body passes `maxBodySize`, a
 * Parse error for a body that is not JSON, 204 with no body when there is
 * nothing to answer, else 200 with the JSON response. JSON-RPC errors are
 * answered with 200, as the response body carries them. Never rejects.
 *
 * @param req - the incoming request.
 * @param res - its response.
 * @param maxBodySize - the largest body accepted, in bytes.
 * @param dispatch - answers the parsed body.
 * @returns a promise settled once the answer is written.
 * @example
 * ```ts
 * createServer((req, res) => void serveHttp(req, res, 1 << 20, (m) => rpc.dispatch(m)));
 * ```
 */
export async function serveHttp(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodySize: number,
  dispatch: Dispatch,
): Promise<void> {
  try {
    if (req.method !== 'POST') {
      const message = `Method Not Allowed: use POST, not ${req.method}`;
      send(res, 405, errorBody(JsonRpcError.INVALID_REQUEST, message), { Allow: 'POST' });
      return;
    }
    const body = await readBody(req, maxBodySize);
    if (body === undefined) {
      const message = `Payload Too Large: the body exceeds ${maxBodySize} bytes`;
      send(res, 413, errorBody(JsonRpcError.INVALID_REQUEST, message), { Connection: 'close' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      send(res, 200, errorBody(JsonRpcError.PARSE_ERROR, 'Parse error: the body is not JSON'));
      return;
    }
    const reply = await dispatch(parsed);
    if (reply === undefined) res.writeHead(204).end();
    else
      send(
        res,
        200,
        Array.isArray(reply) ? `[${reply.map(serialize).join(',')}]` : serialize(reply),
      );
  } catch (err) {
    // The client went away mid-body, or a bug: answer if still possible.
    log.debug(`request failed: ${err instanceof Error ? err.message : String(err)}`);
    if (!res.headersSent && !res.destroyed) {
      send(res, 500, errorBody(JsonRpcError.INTERNAL_ERROR, 'Internal error'));
    } else res.destroy();
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers?: OutgoingHttpHeaders,
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function errorBody(code: number, message: string): string {
  return JSON.stringify(failure(null, { code, message }));
}

/** One response as JSON; a result or data JSON cannot hold becomes an internal error. */
function serialize(response: JsonRpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch (err) {
    log.error(`response ${String(response.id)} is not serializable: ${String(err)}`);
    const message = 'Internal error: the response is not JSON-serializable';
    return JSON.stringify(failure(response.id, { code: JsonRpcError.INTERNAL_ERROR, message }));
  }
}
