import { connect, createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import type { Actor } from '../../lib/index.js';
import { echo } from '../../samples/echo/echo.js';
import { waitFor } from '../support/waiting.js';

describe('samples/echo: the protocol', () => {
  let server: Server;
  let served: Socket | undefined;
  let client: Socket | undefined;

  beforeEach(async () => {
    server = createServer((socket) => {
      served = socket;
      echo(socket, {} as Actor);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    client?.destroy();
    served?.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const port = (): number => (server.address() as { port: number }).port;

  it('should write back what arrives', async () => {
    client = connect(port(), '127.0.0.1');
    client.setEncoding('utf8');
    let received = '';
    client.on('data', (chunk: string) => (received += chunk));
    client.write('line 1\nline 2\n');
    await waitFor(() => received === 'line 1\nline 2\n', 5000, 'the echo');
  });

  // A client that writes and never reads: the worker stops reading too, and
  // what it holds stays bounded (by the sockets' buffers), not 3.5 GB.
  it('should read no faster than the client reads its echoes', async function () {
    this.timeout(20_000);
    client = connect(port(), '127.0.0.1');
    client.pause();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const total = 64 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.length) client.write(chunk);
    // Until the server has stopped reading: its count unchanged for 300 ms.
    let last = -1;
    let since = Date.now();
    await waitFor(
      () => {
        const read = served?.bytesRead ?? 0;
        if (read !== last) {
          last = read;
          since = Date.now();
          return false;
        }
        return read > 0 && Date.now() - since > 300;
      },
      15_000,
      'the server to stop reading',
    );
    expect(served!.bytesRead).to.be.below(total / 2);
    expect(served!.writableLength).to.be.below(1024 * 1024);
  });
});
