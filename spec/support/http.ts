/**
 * Helpers of the HTTP and JSON-RPC specs: a server on a free port, and raw requests
 * over a fresh connection each (`agent: false`, so no socket outlives them).
 */
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening server and how to reach and close it. */
export interface TestServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1, port 0.
 *
 * @param listener - the request listener to serve.
 * @returns the server, its port and URL, and `close()` that also ends idle keep-alive connections.
 */
export async function startServer(listener: RequestListener): Promise<TestServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** An HTTP response, read whole. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON. */
  json(): unknown;
}

/** What {@link send} sends. */
export interface RawRequest {
  method?: string;
  body?: string;
  headers?: OutgoingHttpHeaders;
}

/**
 * One HTTP request on its own connection.
 *
 * @param port - the server's port.
 * @param req - method (default POST), body and headers.
 * @returns the whole response.
 */
export function send(port: number, req: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { 'Content-Type': 'application/json', ...req.headers };
    const outgoing = request(
      { host: '127.0.0.1', port, method: req.method ?? 'POST', agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/**
 * POSTs a JSON-RPC body: a value is JSON-encoded, a string is sent as is.
 *
 * @param port - the server's port.
 * @param body - the message, or raw text.
 * @returns the whole response.
 */
export function post(port: number, body: unknown): Promise<RawResponse> {
  return send(port, { body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/**
 * Sends a body in pieces, without ending it, until the server answers; then
 * drops the connection. `sent` tells how much had gone out by then.
 *
 * @param port - the server's port.
 * @param headers - the request headers.
 * @returns the answer and how many bytes were sent before it came.
 */
export function pushBody(
  port: number,
  headers: Record<string, string | number>,
): Promise<{ status: number; headers: Record<string, unknown>; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', agent: false, headers },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          req.destroy();
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, sent });
        });
      },
    );
    // Writing into a connection the server has closed fails: expected once answered.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const pump = (): void => {
      if (answered || req.destroyed) return;
      if (sent >= 4 * 1024 * 1024) return void reject(new Error('the server never answered'));
      req.write(Buffer.alloc(512, 0x20));
      sent += 512;
      setImmediate(pump);
    };
    pump();
  });
}
