import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { listen } from '../../lib/apps/listen.js';
import { makeStaleSocket } from '../support/staleSocket.js';
import { rejection } from '../support/waiting.js';

/** The first chunk a server at a socket path sends. */
function greeting(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.setEncoding('utf8').once('data', (text: string) => {
      socket.destroy();
      resolve(text);
    });
    socket.once('error', reject);
  });
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

describe('listen()', () => {
  describe('on a socket path that is taken (EADDRINUSE)', () => {
    let dir: string;
    let path: string;
    const servers: Server[] = [];

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxp-listen-'));
      path = join(dir, 'app.sock');
    });

    afterEach(async () => {
      for (const server of servers.splice(0)) await close(server);
      rmSync(dir, { recursive: true, force: true }); // and every socket file in it
    });

    const server = (text: string): Server => {
      // A probe that connects and leaves at once resets the connection: not an error here.
      const made = createServer((socket) => socket.on('error', () => {}).end(text));
      servers.push(made);
      return made;
    };

    it('should remove a stale socket (its server was killed) and serve there', async () => {
      await makeStaleSocket(path);
      expect(await listen(server('hello'), path, 511)).to.equal(path);
      expect(await greeting(path)).to.equal('hello');
    });

    it('should keep EADDRINUSE, saying so, when another process listens there', async () => {
      await listen(server('first'), path, 511);
      const err = (await rejection(listen(server('second'), path, 511))) as NodeJS.ErrnoException;
      expect(err.code).to.equal('EADDRINUSE');
      expect(err.message).to.equal(
        `listen EADDRINUSE: address already in use ${path}: another process listens there`,
      );
      expect(await greeting(path)).to.equal('first');
    });

    it('should never remove a file that is not a socket', async () => {
      writeFileSync(path, 'my data');
      const err = (await rejection(listen(server('hello'), path, 511))) as NodeJS.ErrnoException;
      expect(err.code).to.equal('EADDRINUSE');
      expect(err.message).to.contain(path).and.contain('the file there is not a socket');
      expect(lstatSync(path).isFile()).to.equal(true);
      expect(readFileSync(path, 'utf8')).to.equal('my data');
    });
  });
});
