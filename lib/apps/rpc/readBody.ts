/**
 * Reading a request body with a size limit.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ProtocolError } from '../../errors.js';
import { linger } from '../http/linger.js';

/**
 * The body of `req` as UTF-8 text, or `undefined` as soon as it is known to
 * exceed `maxBytes`: at once when `Content-Length` says so, else when the
 * bytes received pass the limit. In that case answer 413 with `Connection:
 * close`: the rest of the body is read and dropped (see {@link lingerAfter})
 * so that the client, still sending, reads the answer instead of a reset
 * connection (EPIPE).
 *
 * @param req - the incoming request.
 * @param maxBytes - the largest body accepted, in bytes.
 * @returns the body, or `undefined` when it is too large; rejects when the
 *   client aborts the request (a `ProtocolError`), or with the socket's error.
 * @example
 * ```ts
 * const body = await readBody(req, 1 << 20);
 * if (body === undefined) return tooLarge(res);
 * ```
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    lingerAfter(req);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        lingerAfter(req);
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new ProtocolError('request aborted before its body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * A lingering close after the answer to a request whose body is refused
 * (see {@link linger}): the client, still sending, reads the answer.
 *
 * @param req - the request whose body is not wanted.
 * @example
 * ```ts
 * lingerAfter(req);
 * res.writeHead(413, { connection: 'close' }).end();
 * ```
 */
export function lingerAfter(req: IncomingMessage): void {
  const socket = req.socket;
  socket.destroySoon = (): void => linger(req, socket);
}
