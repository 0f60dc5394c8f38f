import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PsRow } from '../../lib/control/psRows.js';
import { removeRuntimeDirs } from '../../lib/util/runtimeDir.js';
import { fixtureApp, RunningArbiter } from '../support/RunningArbiter.js';
import { alive, waitFor } from '../support/waiting.js';

/** GET / over a Unix socket: the body. */
function get(socketPath: string): Promise<{ body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ServerApp', () => {
  describe('--bind a socket path, its arbiter killed (SIGKILL), started again', () => {
    let dir: string;
    let runtime: string;
    const arbiters: RunningArbiter[] = [];

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxp-sock-'));
      runtime = mkdtempSync(join(tmpdir(), 'rxp-sock-rt-'));
    });

    afterEach(async function () {
      this.timeout(30_000);
      for (const arbiter of arbiters.splice(0)) await arbiter.close(true);
      rmSync(runtime, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true }); // and the socket files in it
    });

    const start = async (path: string): Promise<RunningArbiter> => {
      const arbiter = new RunningArbiter(runtime);
      arbiters.push(arbiter);
      return arbiter.start(fixtureApp('cli-hello'), ['-w', '2', '--bind', path], true);
    };

    it('should remove the stale socket file and serve', async function () {
      this.timeout(60_000);
      const path = join(dir, 'h2.sock');
      const first = await start(path);
      expect((await get(path)).body).to.equal('Hello World!');
      const ps = await first.cli(['ps', '--json']);
      const workers = (JSON.parse(ps.stdout) as PsRow[]).map((row) => Number(row.pid));
      expect(workers).to.have.length(2);
      const killed = first.child!.pid!;
      process.kill(killed, 'SIGKILL');
      await first.exit();
      // Its workers leave once their channel to it closed.
      await waitFor(() => !workers.some(alive), 10_000, `workers ${workers.join(', ')} gone`);
      // They stop as orphans do: their server's close() to the dead arbiter
      // (EPIPE) is no crash with a stack trace.
      expect(first.stderr).to.not.contain('EPIPE');
      removeRuntimeDirs(killed);
      expect(lstatSync(path).isSocket()).to.equal(true); // left behind

      const second = await start(path);

      expect(second.ready).to.deep.equal({ address: path });
      expect((await get(path)).body).to.equal('Hello World!');
    });
  });
});
