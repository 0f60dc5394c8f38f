/**
 * POSTing a whole body at once, for the specs of answers that come before
 * the body is read (413, 401…).
 */
import { request } from 'node:http';

/**
 * POSTs a whole body at once (as `curl --data-binary` does), reads the
 * answer (which may come before the body is all sent), and waits for the
 * request to end.
 *
 * @param port - the server's port.
 * @param body - the body.
 * @param headers - the request headers.
 * @param path - the path (default `/`).
 * @returns the status and text of the answer, and the code of an error the
 *   request met (EPIPE, ECONNRESET), if any.
 */
export function sendWhole(
  port: number,
  body: Buffer,
  headers: Record<string, string | number>,
  path = '/',
): Promise<{ status: number; text: string; error: string | undefined }> {
  return new Promise((resolve) => {
    let status = 0;
    let text = '';
    let error: string | undefined;
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers },
      (res) => {
        status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => undefined);
        res.on('end', () => (text = Buffer.concat(chunks).toString('utf8')));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code ?? err.message));
    req.on('close', () => resolve({ status, text, error }));
    req.end(body);
  });
}
