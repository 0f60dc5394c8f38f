import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { ActorNotFoundError, ImproperlyConfiguredError } from '../../lib/index.js';
import { ControlClient } from '../../lib/control/ControlClient.js';
import { ControlServer } from '../../lib/control/ControlServer.js';

describe('ControlServer', () => {
  let dir: string;
  let path: string;
  let server: ControlServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-control-spec-'));
    path = join(dir, 'control.sock');
    server = new ControlServer(
      {
        echo: (req) => req['value'],
        fail: () => {
          throw new ActorNotFoundError('no such thing');
        },
        usage: () => Promise.reject(new ImproperlyConfiguredError('bad usage')),
      },
      1000,
    );
    await server.listen(path);
  });

  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Write raw lines and read `n` answer lines. */
  const raw = (text: string, n: number): Promise<Record<string, unknown>[]> =>
    new Promise((resolve, reject) => {
      const socket = connect(path);
      const lines: Record<string, unknown>[] = [];
      socket.on('error', reject);
      createInterface({ input: socket }).on('line', (line) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        if (lines.length === n) {
          socket.destroy();
          resolve(lines);
        }
      });
      socket.write(text);
    });

  describe('listen()', () => {
    it('should make a socket only its user can use (0600)', () => {
      expect(statSync(path).mode & 0o777).to.equal(0o600);
    });
  });

  describe('ensureListening()', () => {
    it('should listen again when its socket file was deleted, keeping its clients', async () => {
      const before = await ControlClient.connect(path);
      try {
        expect(await server.ensureListening()).to.equal(false);
        rmSync(dir, { recursive: true, force: true });
        expect(await server.ensureListening()).to.equal(true);
        expect(statSync(path).mode & 0o777).to.equal(0o600);
        const after = await ControlClient.connect(path);
        expect(await after.request('echo', { value: 'new' })).to.equal('new');
        after.close();
        expect(await before.request('echo', { value: 'old' })).to.equal('old');
      } finally {
        before.close();
      }
    });
  });

  describe('close()', () => {
    it('should not listen again while it closes (the socket file is gone by then)', async () => {
      const closing = server.close();
      expect(await server.ensureListening()).to.equal(false);
      await closing;
    });
  });

  describe('requests', () => {
    it('should answer each request with its id', async () => {
      const client = await ControlClient.connect(path);
      try {
        const answers = await Promise.all(
          [1, 2, 3].map((value) => client.request('echo', { value })),
        );
        expect(answers).to.deep.equal([1, 2, 3]);
      } finally {
        client.close();
      }
    });

    it('should answer errors with their class and code', async () => {
      const client = await ControlClient.connect(path);
      try {
        const notFound = await client.request('fail').catch((err: unknown) => err);
        expect(notFound)
          .to.be.instanceOf(ActorNotFoundError)
          .with.property('message', 'no such thing');
        const usage = await client.request('usage').catch((err: unknown) => err);
        expect(usage).to.be.instanceOf(ImproperlyConfiguredError);
      } finally {
        client.close();
      }
    });

    it('should answer bad JSON, a non-object and an unknown op with an error, and go on', async () => {
      const answers = await raw(
        '{oops\n[1]\n{"id":7,"op":"nope"}\r\n{"id":8,"op":"echo","value":"ok"}\n',
        4,
      );
      expect(
        answers.map((a) => (a['error'] as { code?: string } | undefined)?.code ?? a['value']),
      ).to.deep.equal(['RXP_ERR_PROTOCOL', 'RXP_ERR_PROTOCOL', 'RXP_ERR_PROTOCOL', 'ok']);
      expect(answers[2]).to.include({ id: 7, ok: false });
    });

    it('should refuse a request line over the limit and close that connection', async () => {
      const [answer] = await raw(`{"op":"echo","value":"${'x'.repeat(2000)}`, 1);
      expect(answer).to.deep.include({ ok: false });
      expect((answer!['error'] as { code: string }).code).to.equal('RXP_ERR_MESSAGE_TOO_LARGE');
      const client = await ControlClient.connect(path);
      expect(await client.request('echo', { value: 'still serving' })).to.equal('still serving');
      client.close();
    });
  });
});
