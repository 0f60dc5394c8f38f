import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { MAX_SOCKET_PATH } from '../../lib/util/maxSocketPath.js';
import { longFolder } from '../support/longTmpdir.js';
import { waitFor } from '../support/waiting.js';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

const app = fileURLToPath(new URL('../fixtures/apps/cli-hello.js', import.meta.url));

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { timeout: 20_000, env: { ...process.env, ...env } };
    execFile(process.execPath, [bin, ...args], options, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('rxpulsar (command line)', () => {
  it('should print the version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).to.equal(0);
    expect(stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('should print the usage with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).to.equal(0);
    expect(stdout).to.contain('Usage: rxpulsar');
  });

  it('should list every command with --help', async () => {
    const { stdout } = await run(['--help']);
    for (const command of ['test', 'ps', 'info', 'scale', 'reload', 'stop', 'shell', 'join']) {
      expect(stdout).to.match(new RegExp(`^  ${command} +\\S`, 'm'));
    }
  });

  it('should refuse an unknown option with exit code 2', async () => {
    const { code, stderr } = await run(['--bogus']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('unknown option --bogus');
  });

  it('should refuse a mistyped command with exit code 2, listing the commands', async () => {
    const { code, stderr } = await run(['frobnicate']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('rxpulsar: no command or module "frobnicate" (commands: test, ');
    expect(stderr).to.not.contain('Cannot find module');
  });

  it('should refuse join with an unknown flag, or a fence timeout past the longest timer, with exit 2', async () => {
    const bogus = await run(['join', '--bogus']);
    expect(bogus.code).to.equal(2);
    expect(bogus.stderr.split('\n')[0]).to.equal('rxpulsar join: unknown option --bogus');
    const dir = mkdtempSync(join(tmpdir(), 'rxp-join-'));
    try {
      const secret = join(dir, 'secret');
      writeFileSync(secret, 'a secret of enough length for the hub\n', { mode: 0o600 });
      const long = await run([
        'join',
        'tls://127.0.0.1:1',
        '--app',
        'web',
        '--hub-secret-file',
        secret,
        '--fence-timeout',
        '30d',
      ]);
      expect(long.code).to.equal(2);
      expect(long.stderr.split('\n')[0]).to.equal(
        'rxpulsar join: --fence-timeout must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should list every setting with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).to.equal(0);
    for (const flag of ['--workers', '--bind', '--max-requests', '--config', '--log-level']) {
      expect(stdout).to.contain(flag);
    }
    expect(stdout).to.contain('RXPULSAR_MAX_REQUESTS');
    // What the help says is what happens: -w 0 is an empty pool; no --exc-id (it named nothing).
    expect(stdout.replace(/\s+/g, ' ')).to.contain('(0: none until scaled up');
    expect(stdout).not.to.contain('--exc-id');
  });

  it("should list an app's settings with <module> --help", async () => {
    const { code, stdout } = await run([app, '--help']);
    expect(code).to.equal(0);
    expect(stdout).to.contain('--keep-alive').and.contain('--backlog');
    // The command as typed, its module relative to the working folder.
    expect(stdout.split('\n')[0]).to.equal(
      `Usage: rxpulsar ${relative(process.cwd(), app)} [options] [args...]`,
    );
  });

  it('should list server settings only for a server app', async () => {
    const failing = fileURLToPath(new URL('../fixtures/apps/cli-failing.js', import.meta.url));
    const plain = await run([failing, '--help']);
    expect(plain.code).to.equal(0);
    expect(plain.stdout).to.contain('--workers').and.not.contain('--bind');
    const general = await run(['--help']);
    expect(general.stdout).to.contain('Server app options (HttpServer, SocketServer):');
  });

  it('should exit 2 on a bad flag, naming key, value and source, without a stack', async () => {
    const { code, stderr } = await run([app, '--workers', 'four', '--bogus-flag', '1']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('workers').and.contain('four').and.contain('--workers');
    expect(stderr).to.contain('bogus');
    expect(stderr).not.to.match(/^\s+at /m);
  });

  it('should exit 2 on a bad environment value', async () => {
    const { code, stderr } = await run([app], { RXPULSAR_BACKLOG: '-3' });
    expect(code).to.equal(2);
    expect(stderr).to.contain('RXPULSAR_BACKLOG');
  });

  it('should exit 2 on a pool above 1024 workers or a count of 1e20, starting nothing', async () => {
    const big = await run([app, '--workers', '1025']);
    expect(big.code).to.equal(2);
    expect(big.stderr).to.contain(
      'workers = "1025" (--workers): must be at most 1024 (MAX_POOL_WORKERS, the most workers a pool has)',
    );
    const huge = await run([app, '--workers', '99999999999999999999']);
    expect(huge.code).to.equal(2);
    expect(huge.stderr).to.contain('workers = "99999999999999999999" (--workers): must be at most');
  });

  it('should exit non-zero at start under a TMPDIR too long for its sockets, saying so, leaving nothing', async () => {
    const hello = fileURLToPath(new URL('../../samples/helloworld/app.js', import.meta.url));
    // Whatever the pid, the hub's path in it is over the limit.
    const folder = longFolder(MAX_SOCKET_PATH - 10);
    try {
      const { code, stderr } = await run([hello, '--bind', '127.0.0.1:0'], { TMPDIR: folder.path });
      expect(code).to.not.equal(0);
      expect(stderr).to.match(
        new RegExp(`hub socket path ${folder.path}/rxpulsar-\\d+-\\w+/hub.sock`),
      );
      expect(stderr).to.contain(`limit of ${MAX_SOCKET_PATH} bytes`);
      expect(stderr).to.contain('set TMPDIR to a shorter folder');
      expect(readdirSync(folder.path)).to.deep.equal([]);
    } finally {
      folder.remove();
    }
  });

  it('should answer every request in flight on SIGTERM, then exit 0', async () => {
    const child = spawn(process.execPath, [bin, app, '--bind', '127.0.0.1:0', '--workers', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPEC_SAY_BEGAN: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve) => {
        createInterface({ input: child.stdout }).once('line', resolve);
      });
      const { address } = JSON.parse(line) as { address: string };
      const [host, port] = address.split(':') as [string, string];
      const get = (): Promise<number> =>
        new Promise((resolve, reject) => {
          request({ host, port: Number(port), path: '/slow?ms=600', agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
            .on('error', reject)
            .end();
        });
      const replies = Promise.all(Array.from({ length: 6 }, get));
      // In flight: every request reached a worker (a fixed wait may not be
      // enough on a busy machine, and one not yet accepted is refused).
      await waitFor(
        () => stderr.split('began GET /slow?ms=600\n').length - 1 === 6,
        20_000,
        '6 requests in flight',
      );
      child.kill('SIGTERM');
      expect(await replies).to.deep.equal([200, 200, 200, 200, 200, 200]);
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });

  it('should log what debugging needs under --debug, and title its workers', async () => {
    const child = spawn(
      process.execPath,
      [bin, app, '--bind', '127.0.0.1:0', '--workers', '1', '--debug', '--log-format', 'text'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RXPULSAR_LOG_LEVEL: 'info' } },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let logs = '';
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    try {
      const line = await new Promise<string>((resolve) => {
        createInterface({ input: child.stdout }).once('line', resolve);
      });
      const { address } = JSON.parse(line) as { address: string };
      const pid = Number(
        /spawned process actor "cli-hello-worker" \(\w+, pid (\d+)\)/.exec(logs)?.[1],
      );
      expect(pid, logs).to.be.greaterThan(0);
      expect(logs).to.contain('is ready').and.contain(`listening on http://${address}`);
      await new Promise<void>((resolve, reject) => {
        const req = request(`http://${address}/debug-probe`, { agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
      await waitFor(
        () => /GET \/debug-probe 200 [\d.]+ ms/.test(logs),
        10_000,
        'the request logged',
      );
      const title = await new Promise<string>((resolve) => {
        execFile('ps', ['-o', 'args=', '-p', String(pid)], (_err, out) => resolve(out.trim()));
      });
      expect(title).to.match(/^rxpulsar: cli-hello worker \w+$/);
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(logs).to.match(/actor "cli-hello-worker" \(\w+\) exited \(code 0\)/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  });

  it('should run a module that starts and stops an arbiter', async () => {
    const script = fileURLToPath(new URL('../fixtures/actors/arbiter-script.js', import.meta.url));
    const { code, stdout } = await run([script]);
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal(['pong', 'pong']);
  });
});
