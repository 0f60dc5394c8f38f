import { connect } from 'node:net';
import { expect } from 'chai';
import { arbiter, type Arbiter } from '../../../lib/index.js';
import { app } from '../../fixtures/apps/echo.js';

/** Connect, read the greeting, send `text`, read it back, close. */
function converse(address: string, text: string): Promise<{ greeting: string; echo: string }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline !== -1 && received.length - newline - 1 >= text.length) {
        socket.end();
        resolve({ greeting: received.slice(0, newline), echo: received.slice(newline + 1) });
      }
    });
    socket.once('connect', () => socket.write(text));
  });
}

describe('SocketServer', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false });
    await app.start();
  });

  after(async () => {
    await app.stop();
    await a.stop();
  });

  it('should serve each connection with its own protocol, in the workers', async () => {
    const workers = new Set(app.monitor!.managedActors.map((p) => p.aid));
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const text = `message ${i} `.repeat(50);
      const { greeting, echo } = await converse(app.address!, text);
      expect(echo).to.equal(text);
      const aid = greeting.replace('hello from ', '');
      expect(workers.has(aid)).to.equal(true);
      seen.add(aid);
    }
    expect(seen.size).to.equal(2);
  });

  it('should count connections in the workers info', async () => {
    // A connection counts once the worker saw it close, which may come just
    // after the client read its echo: ask again until every one is counted.
    const counted = async (): Promise<number> => {
      const infos = await Promise.all(
        app.monitor!.managedActors.map(async (p) => (await p.send('info')) as { requests: number }),
      );
      return infos.reduce((sum, info) => sum + info.requests, 0);
    };
    const deadline = Date.now() + 10_000;
    let total = await counted();
    while (total < 12 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      total = await counted();
    }
    expect(total).to.be.at.least(12);
  });
});
