/**
 * Reading a request body with a size limit.
 * @module
 */
import type { IncomingMessage } from 'node:http';

/**
 * The body of `req` as UTF-8 text, or `undefined` as soon as it is known to
 * exceed `maxBytes`: at once when `Content-Length` says so, else when the
 * bytes received pass the limit. In that case the request is paused and the
 * rest is never read; answer 413 with `Connection: close` so that Node
 * closes the socket.
 *
 * @param req - the incoming request.
 * @param maxBytes - the largest body accepted, in bytes.
 * @returns the body, or `undefined` when it is too large; rejects when the
 *   client aborts the request.
 * @example
 * ```ts
 * const body = await readBody(req, 1 << 20);
 * if (body === undefined) return tooLarge(res);
 * ```
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.resolve(undefined);
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
        req.pause();
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
      reject(new Error('request aborted before its body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
