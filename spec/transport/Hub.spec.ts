import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { expect } from 'chai';
import { Hub } from '../../lib/transport/Hub.js';
import { captureLogs, createLogger, ListenError } from '../../lib/index.js';
import { MAX_SOCKET_PATH } from '../../lib/util/maxSocketPath.js';
import { longFolder, withTmpdir } from '../support/longTmpdir.js';

/** A hub never started (its stop() does nothing), in place of one a test stopped. */
function unstarted(): Hub {
  return new Hub({
    maxConnections: 1,
    maxMessageSize: 1,
    handshakeTimeout: 1,
    logger: createLogger('hub-spec'),
  });
}

describe('Hub', () => {
  let hub: Hub;
  let path: string;

  beforeEach(async () => {
    hub = new Hub({
      maxConnections: 8,
      maxMessageSize: 1024,
      handshakeTimeout: 200,
      logger: createLogger('hub-spec'),
    });
    path = await hub.start();
  });

  afterEach(async () => {
    await hub.stop();
  });

  describe('start()', () => {
    it('should listen on a private socket in a private folder', () => {
      expect(statSync(dirname(path)).mode & 0o777).to.equal(0o700);
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      expect(hub.path).to.equal(path);
    });

    it('should refuse a socket path over the limit (a long TMPDIR), naming it, and leave no folder', async () => {
      // The hub's path: the folder, rxpulsar-<pid>-XXXXXX, hub.sock.
      const folder = longFolder(MAX_SOCKET_PATH - 20);
      try {
        const long = unstarted();
        let caught: unknown;
        await withTmpdir(folder.path, () => long.start()).catch((err: unknown) => (caught = err));
        expect(caught).to.be.instanceOf(ListenError);
        const message = (caught as Error).message;
        expect(message).to.contain(`hub socket path ${folder.path}/rxpulsar-${process.pid}-`);
        expect(message).to.contain(`limit of ${MAX_SOCKET_PATH} bytes`).and.contain('TMPDIR');
        expect(readdirSync(folder.path)).to.deep.equal([]);
        expect(long.path).to.equal(undefined);
      } finally {
        folder.remove();
      }
    });
  });

  describe('listen()', () => {
    /** A hub started with `listen: false`. */
    async function lazy(): Promise<Hub> {
      await hub.stop();
      hub = new Hub({
        maxConnections: 8,
        maxMessageSize: 1024,
        handshakeTimeout: 200,
        logger: createLogger('hub-spec'),
      });
      path = await hub.start({ listen: false });
      return hub;
    }

    it('should listen only when first asked to, once', async () => {
      await lazy();
      expect(statSync(dirname(path)).mode & 0o777).to.equal(0o700);
      expect(existsSync(path)).to.equal(false);
      expect(hub.ensureListening()).to.equal(false);
      const first = hub.listen();
      expect(existsSync(path)).to.equal(true); // bound before it returns
      expect(hub.listen()).to.equal(first);
      await first;
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      const socket = connect(path);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.destroy();
    });

    it('should reject a listen that fails, not restore it, and listen on the next call', async () => {
      await lazy();
      writeFileSync(path, ''); // something holds the socket's path
      try {
        await hub.listen();
        expect.fail('listened on a path already taken');
      } catch (err) {
        expect(err).to.be.instanceOf(ListenError);
        expect((err as Error).message).to.contain(path);
        expect(((err as Error).cause as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
      }
      rmSync(path);
      // No bind was ever done: nothing to restore, no server started.
      expect(hub.ensureListening()).to.equal(false);
      await hub.listen();
      expect(statSync(path).isSocket()).to.equal(true);
    });

    it('should stop cleanly when asked to listen just before', async () => {
      await lazy();
      void hub.listen();
      await hub.stop();
      expect(existsSync(dirname(path))).to.equal(false);
      hub = unstarted(); // for afterEach
    });

    it('should refuse before the hub is started', async () => {
      const never = unstarted();
      let caught: unknown;
      await never.listen().catch((err: unknown) => (caught = err));
      expect(String(caught)).to.match(/not started/);
    });
  });

  describe('stop()', () => {
    it('should remove the socket and its folder', async () => {
      await hub.stop();
      expect(existsSync(dirname(path))).to.equal(false);
      hub = unstarted(); // for afterEach
    });
  });

  describe('ensureListening()', () => {
    it('should listen again once when asked twice at once (a spawn and the periodic check)', async () => {
      // A second server would be left listening (the leak check after this
      // file fails, and the process never exits).
      rmSync(path);
      expect(hub.ensureListening()).to.equal(true);
      // The socket is back at once: a second call finds it (it started a
      // second server, which nothing closed, while the first was on its way).
      expect(hub.ensureListening()).to.equal(false);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(path);
        socket.once('connect', () => resolve(socket.destroy() && undefined));
        socket.once('error', reject);
      });
      expect(statSync(path).mode & 0o777).to.equal(0o600);
    });

    it('should not listen again while the hub stops (a spawn in that window)', async () => {
      const stopping = hub.stop();
      expect(hub.ensureListening()).to.equal(false);
      await stopping;
      expect(existsSync(dirname(path))).to.equal(false);
      hub = unstarted(); // for afterEach
    });
  });

  describe('handshake deadline', () => {
    it('should drop a connection that sends nothing in time, and log why', async () => {
      const logs = captureLogs('warn');
      try {
        const socket = connect(path);
        await new Promise((resolve) => socket.once('close', resolve));
        expect(logs.records.map((r) => r.message).join('\n')).to.contain('no handshake');
      } finally {
        logs.restore();
      }
    });
  });
});
