/**
 * One HTTP POST of a JSON body, for the JSON-RPC client.
 * @module
 */
import { request, type Agent } from 'node:http';
import { TimeoutError } from '../../errors.js';

/** The status and text of an HTTP response. */
export interface PostResult {
  status: number;
  text: string;
}

/** How {@link postJson} sends. */
export interface PostOptions {
  /** The agent that holds the connections. */
  agent: Agent;
  /** Milliseconds of socket inactivity before giving up; 0 waits forever. */
  timeout: number;
  /** Extra request headers. */
  headers: Record<string, string>;
}

/**
 * POSTs `body` as `application/json` and reads the whole response.
 *
 * @param url - the server's URL (`http:`).
 * @param body - the JSON text to send.
 * @param options - agent, timeout and extra headers.
 * @returns the response's status and text; rejects on a network error or a
 *   {@link TimeoutError} when the socket stays idle past `timeout`.
 * @example
 * ```ts
 * const { status, text } = await postJson(new URL('http://127.0.0.1:8060'), '{}', options);
 * ```
 */
export function postJson(url: URL, body: string, options: PostOptions): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        headers: {
          ...options.headers,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    if (options.timeout > 0) {
      req.setTimeout(options.timeout, () => {
        req.destroy(new TimeoutError(`no answer from ${url.href} in ${options.timeout} ms`));
      });
    }
    req.end(body);
  });
}
