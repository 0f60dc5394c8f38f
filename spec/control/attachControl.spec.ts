import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { arbiter, ListenError } from '../../lib/index.js';
import { MAX_SOCKET_PATH } from '../../lib/util/maxSocketPath.js';
import { registryDir } from '../../lib/control/arbiterRegistry.js';
import { attachControl } from '../../lib/control/attachControl.js';
import { longFolder, withTmpdir } from '../support/longTmpdir.js';
import { waitFor } from '../support/waiting.js';

describe('attachControl()', () => {
  it('should register the arbiter at once and sweep dead entries at its first check', async function () {
    this.timeout(30_000);
    const base = mkdtempSync(join(tmpdir(), 'rxp-attach-spec-'));
    const saved = process.env['XDG_RUNTIME_DIR'];
    process.env['XDG_RUNTIME_DIR'] = base;
    const a = arbiter({ control: false, signals: false });
    let close: (() => Promise<void>) | undefined;
    try {
      await a.start();
      const registry = registryDir();
      const dead = join(registry, `${2 ** 22 + 7}.json`);
      writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 7, socket: join(base, 'gone.sock') }));
      close = await attachControl(a, { dir: base, signals: false });
      // Registered at once; the dead entry is left to the first periodic check (5 s).
      expect(readdirSync(registry)).to.include(`${process.pid}.json`);
      expect(existsSync(dead)).to.equal(true);
      await waitFor(() => !existsSync(dead), 15_000);
      expect(readdirSync(registry)).to.deep.equal([`${process.pid}.json`]);
    } finally {
      await close?.();
      await a.stop();
      if (saved === undefined) delete process.env['XDG_RUNTIME_DIR'];
      else process.env['XDG_RUNTIME_DIR'] = saved;
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('should refuse a socket path over the limit, and fail the start of its arbiter', async function () {
    this.timeout(30_000);
    // The hub's path (hub.sock) within the limit, the control socket's 4 bytes longer over it.
    const runtime = `rxpulsar-${process.pid}-XXXXXX`.length;
    const folder = longFolder(MAX_SOCKET_PATH + 1 - (runtime + '/control.sock'.length + 1));
    try {
      const a = arbiter({ signals: false });
      let caught: unknown;
      await withTmpdir(folder.path, async () => a.start()).catch((err: unknown) => (caught = err));
      await a.stop();
      expect(caught).to.be.instanceOf(ListenError);
      const message = (caught as Error).message;
      expect(message).to.contain(`control socket path ${folder.path}/rxpulsar-${process.pid}-`);
      expect(message).to.contain(`${MAX_SOCKET_PATH + 1} bytes long`);
      expect(message).to.contain(`limit of ${MAX_SOCKET_PATH} bytes`).and.contain('TMPDIR');
      // Nothing bound at a cut path, no runtime folder left.
      expect(readdirSync(folder.path)).to.deep.equal([]);
    } finally {
      folder.remove();
    }
  });
});
