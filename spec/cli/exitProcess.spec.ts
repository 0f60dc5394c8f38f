import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { exitProcess, installExitPolicy } from '../../lib/cli/exitProcess.js';
import { requestExit, setExitHandler } from '../../lib/util/requestExit.js';

const plain = fileURLToPath(new URL('../fixtures/apps/plain.js', import.meta.url));
const lib = fileURLToPath(new URL('../../../lib/', import.meta.url));

/** `node plain.js ...args`: its exit code and output. */
function runPlain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [plain, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('exitProcess', () => {
  describe('installExitPolicy()', () => {
    it('should make the exit requests of the library end the process with their code', () => {
      const saved = process.exitCode;
      const previous = setExitHandler(undefined);
      try {
        installExitPolicy();
        expect(setExitHandler(undefined)).to.equal(exitProcess);
        const asked: number[] = [];
        setExitHandler((code) => asked.push(code));
        requestExit(2);
        expect(asked).to.deep.equal([2]);
        expect(process.exitCode).to.equal(2);
        setExitHandler(undefined);
        requestExit(1);
        expect(process.exitCode, 'no handler: only reported').to.equal(1);
      } finally {
        setExitHandler(previous);
        process.exitCode = saved;
      }
    });

    it('should be the only way the library ends the process', () => {
      // The command line (lib/cli/) decides; the entry points of child
      // processes and threads are their own command line; the shell mimics
      // Node's crash on an uncaught exception that is not the shell's (its
      // listener removed Node's default), which no policy may veto.
      const allowed = [/^cli\//, /(^|\/)entry\//, /^control\/shellEval\.ts$/];
      const offenders: string[] = [];
      for (const file of readdirSync(lib, { recursive: true, encoding: 'utf8' })) {
        if (!/\.c?ts$/.test(file) || allowed.some((re) => re.test(file))) continue;
        for (const [i, line] of readFileSync(join(lib, file), 'utf8').split('\n').entries()) {
          if (/process\.(exit|reallyExit|abort)\(/.test(line)) offenders.push(`${file}:${i + 1}`);
        }
      }
      expect(offenders).to.deep.equal([]);
    });
  });

  describe('node app.js (no command line)', () => {
    it('should print the settings on --help and exit 0', async () => {
      const { code, stdout } = await runPlain(['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.contain('--workers');
    });

    it('should print a bad setting in one line and exit 2, without a stack', async () => {
      const { code, stderr } = await runPlain(['--workers', 'many']);
      expect(code).to.equal(2);
      expect(stderr.trim().split('\n')).to.have.length(1);
      expect(stderr).to.match(/^workers = "many" \(--workers\): /);
    });

    it('should exit 1 when a live process holds the pid file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxp-plain-'));
      try {
        const pidFile = join(dir, 'app.pid');
        writeFileSync(pidFile, `${process.pid}\n`);
        const { code, stderr } = await runPlain(['--pid-file', pidFile]);
        expect(code).to.equal(1);
        expect(stderr).to.contain(pidFile);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
