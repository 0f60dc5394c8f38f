import { request } from 'node:http';
import { expect } from 'chai';
import { REPEAT_MS } from '../../lib/arbiter/arbiterSignals.js';
import { reap, startServer, type Server } from '../support/loadServer.js';
import { sleep, waitFor } from '../support/waiting.js';

/** One GET on a fresh connection: its status, or the error code. */
function get(address: string, path: string): Promise<number | string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve) => {
    const req = request({ host, port: Number(port), path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('installSignals', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await reap(server);
    server = undefined;
  });

  it('should take one Ctrl-C relayed twice (30 ms apart) as one graceful stop', async () => {
    server = await startServer({});
    const slow = get(server.address, '/slow?ms=1500');
    await server.began('/slow?ms=1500');
    process.kill(-server.child.pid!, 'SIGINT'); // the terminal, to the group
    await sleep(30);
    process.kill(server.child.pid!, 'SIGINT'); // the wrapper, relaying it
    expect(await slow).to.equal(200);
    expect(await server.exited).to.equal(0);
  });

  it('should turn the stop fast on a second signal later than REPEAT_MS', async () => {
    server = await startServer({ RXPULSAR_LOG_LEVEL: 'info' });
    const slow = get(server.address, '/slow?ms=20000');
    await server.began('/slow?ms=20000');
    process.kill(server.child.pid!, 'SIGINT');
    // REPEAT_MS counts from when the arbiter took the first signal, which a
    // busy machine may delay: from its log line, not from the kill.
    await waitFor(
      () => server!.stderr().includes('SIGINT: stopping gracefully'),
      20_000,
      'the stop',
    );
    await sleep(REPEAT_MS + 300);
    process.kill(server.child.pid!, 'SIGINT');
    expect(await server.exited).to.equal(0);
    expect(await slow).to.equal('ECONNRESET');
  });
});
