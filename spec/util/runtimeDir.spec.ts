import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { makeRuntimeDir, removeRuntimeDirs } from '../../lib/util/runtimeDir.js';

describe('runtimeDir', () => {
  describe('removeRuntimeDirs()', () => {
    it("should remove the folders of one process, and no other process's", async () => {
      // A live process (its folders are not stale: no other arbiter removes them meanwhile).
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      const pid = child.pid!;
      const its = [join(tmpdir(), `rxpulsar-${pid}-a`), join(tmpdir(), `rxpulsar-${pid}-rxpt-b`)];
      for (const dir of its) mkdirSync(dir);
      const own = makeRuntimeDir();
      try {
        expect(removeRuntimeDirs(pid).sort()).to.deep.equal(its.sort());
        expect(its.filter((dir) => existsSync(dir))).to.deep.equal([]);
        expect(existsSync(own)).to.equal(true);
      } finally {
        for (const dir of [...its, own]) rmSync(dir, { recursive: true, force: true });
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
  });
});
