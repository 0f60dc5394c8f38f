import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { alive, waitFor } from '../support/waiting.js';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/apps/${name}.js`, import.meta.url));

interface Run {
  code: number;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const options = { timeout: 20_000, env: { ...process.env, ...env } };
    execFile(process.execPath, [bin, ...args], options, (err, _stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr });
    });
  });
}

/** The lines the CLI printed itself (logs are the loggers'). */
const cliLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.startsWith('rxpulsar:'));

const STACK = /^\s+at /m;

describe('runApp()', () => {
  describe('a start that fails', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxp-cli-spec-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    async function expectNoWorkerLeft(): Promise<void> {
      const pids = readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
      expect(pids.length).to.be.greaterThan(0);
      await waitFor(() => pids.every((pid) => !alive(pid)), 5000, 'every worker gone');
    }

    it('should exit 1 with one line and no stack when workerStart throws', async () => {
      const { code, stderr } = await run([fixture('cli-failing')], {
        FAILING_PIDS: join(dir, 'pids'),
      });
      expect(code).to.equal(1);
      expect(cliLines(stderr), stderr).to.have.length(1);
      expect(cliLines(stderr)[0]).to.contain('no database at db:5432');
      expect(stderr).not.to.match(STACK);
      await expectNoWorkerLeft();
    });

    it('should exit 1 when the module does not await start()', async () => {
      const { code, stderr } = await run([fixture('cli-failing')], {
        FAILING_PIDS: join(dir, 'pids'),
        FAILING_DETACHED: '1',
      });
      expect(code).to.equal(1);
      expect(cliLines(stderr)[0]).to.contain('no database at db:5432');
      await expectNoWorkerLeft();
    });

    it('should print the stack under --debug', async () => {
      const { code, stderr } = await run([fixture('cli-failing'), '--debug'], {
        FAILING_PIDS: join(dir, 'pids'),
      });
      expect(code).to.equal(1);
      expect(stderr).to.contain('no database at db:5432').and.match(STACK);
    });
  });

  describe('a pid file held by a live process', () => {
    it('should exit 1, naming the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxp-cli-spec-'));
      try {
        const file = join(dir, 'app.pid');
        writeFileSync(file, `${process.pid}\n`);
        const { code, stderr } = await run([
          fixture('cli-hello'),
          '-b',
          '127.0.0.1:0',
          '--pid-file',
          file,
        ]);
        expect(code).to.equal(1);
        expect(cliLines(stderr)[0], stderr).to.contain(file).and.contain('running');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a server that cannot listen', () => {
    let taken: Server;
    before((done) => {
      taken = createServer().listen(0, '127.0.0.1', done);
    });
    after((done) => {
      taken.close(done);
    });

    it('should exit 1 when the port is in use', async () => {
      const address = taken.address() as { port: number };
      const { code, stderr } = await run([fixture('cli-hello'), '-b', `127.0.0.1:${address.port}`]);
      expect(code).to.equal(1);
      expect(cliLines(stderr), stderr).to.have.length(1);
      expect(cliLines(stderr)[0]).to.contain('EADDRINUSE');
      expect(stderr).not.to.match(STACK);
    });

    it('should exit 1 on an address not on this host', async () => {
      const { code, stderr } = await run([fixture('cli-hello'), '-b', '192.0.2.1:8060']);
      expect(code).to.equal(1);
      expect(cliLines(stderr)[0], stderr).to.contain('EADDRNOTAVAIL');
    });
  });

  describe('settings that make every spawn fail', () => {
    for (const flags of [['--timeout', '0']]) {
      it(`should exit 1 with ${flags.join(' ')}`, async () => {
        const { code, stderr } = await run([fixture('cli-hello'), '-b', '127.0.0.1:0', ...flags]);
        expect(code).to.equal(1);
        expect(cliLines(stderr), stderr).to.have.length(1);
      });
    }
  });

  describe('a crash loop', () => {
    it('should take an HTTP app back to serving once the crashes stop (half-open retry)', async function () {
      this.timeout(60_000);
      const child = spawn(
        process.execPath,
        [
          ...[bin, fixture('cli-hello'), '-b', '127.0.0.1:0', '-w', '2', '--max-restarts', '2'],
          ...['--restart-cooldown', '300 ms', '--restart-window', '2 s'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RXPULSAR_LOG_LEVEL: 'info' } },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let logs = '';
      child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
      try {
        const line = await new Promise<string>((resolve) => {
          createInterface({ input: child.stdout }).once('line', resolve);
        });
        const { address } = JSON.parse(line) as { address: string };
        const get = (path: string): Promise<number> =>
          new Promise((resolve) => {
            request(`http://${address}${path}`, { agent: false }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            })
              .on('error', () => resolve(0))
              .end();
          });
        // Every worker that answers /crash dies: crash them until the breaker opens.
        await waitFor(
          () => {
            void get('/crash');
            return logs.includes('closed → open');
          },
          30_000,
          'the breaker open',
        );
        // No more crashes: half-open, a trial worker, then the whole pool serves again.
        let status = 0;
        await waitFor(
          () => {
            void get('/').then((s) => (status = s));
            return status === 200 && logs.includes('half-open → closed');
          },
          30_000,
          'serving again, breaker closed',
        );
        expect(logs).to.contain('open → half-open');
        child.kill('SIGTERM');
        expect(await exited).to.equal(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
      }
    });

    it("should exit 1 with onRestartLimit 'escalate' once the breaker opens", async () => {
      const { code, stderr } = await run([
        fixture('cli-crashing'),
        '--on-restart-limit',
        'escalate',
        '--max-restarts',
        '2',
      ]);
      expect(code).to.equal(1);
      expect(cliLines(stderr), stderr).to.have.length(1);
      expect(cliLines(stderr)[0]).to.contain('stopped').and.contain('escalated');
    });
  });

  describe('values that cannot work', () => {
    for (const [flags, key] of [
      [['--period', '0'], 'period'],
      [['--min-workers', '3', '--max-workers', '1'], 'minWorkers'],
      [['--concurrency', 'thread'], 'concurrency'],
      [['--max-message-size', '10'], 'maxMessageSize'],
    ] as const) {
      it(`should exit 2 naming ${key}, without a stack (${flags.join(' ')})`, async () => {
        const { code, stderr } = await run([fixture('cli-hello'), '-b', '127.0.0.1:0', ...flags]);
        expect(code).to.equal(2);
        expect(stderr.trim().split('\n')).to.have.length(1);
        expect(stderr).to.match(new RegExp(`^${key} = `));
        expect(stderr).not.to.match(STACK);
      });
    }
  });
});
