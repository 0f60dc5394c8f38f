import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { ListenError } from '../../lib/index.js';
import { checkSocketPath } from '../../lib/util/checkSocketPath.js';
import { MAX_SOCKET_PATH } from '../../lib/util/maxSocketPath.js';
import { longFolder } from '../support/longTmpdir.js';

describe('checkSocketPath()', () => {
  it("should take a path of the limit's length, which a server binds as given", async () => {
    const folder = longFolder(MAX_SOCKET_PATH - 2);
    try {
      const path = join(folder.path, 's');
      expect(Buffer.byteLength(path)).to.equal(MAX_SOCKET_PATH);
      checkSocketPath(path, 'hub');
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, resolve);
      });
      expect(existsSync(path)).to.equal(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    } finally {
      folder.remove();
    }
  });

  it('should refuse one byte more, naming the path, its length, the limit and TMPDIR', () => {
    const path = join(tmpdir(), 'x'.repeat(MAX_SOCKET_PATH - tmpdir().length));
    let caught: unknown;
    try {
      checkSocketPath(path, 'control');
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ListenError);
    const message = (caught as ListenError).message;
    expect(message).to.contain(`control socket path ${path} `);
    expect(message).to.contain(`${MAX_SOCKET_PATH + 1} bytes long`);
    expect(message).to.contain(`limit of ${MAX_SOCKET_PATH} bytes`);
    expect(message).to.contain('set TMPDIR to a shorter folder');
    expect((caught as ListenError).code).to.equal('RXP_ERR_LISTEN');
  });

  it('should count bytes, not characters', () => {
    const path = `/${'é'.repeat(Math.ceil(MAX_SOCKET_PATH / 2))}`;
    expect(path.length).to.be.below(MAX_SOCKET_PATH);
    expect(() => checkSocketPath(path, 'hub')).to.throw(ListenError);
  });
});
