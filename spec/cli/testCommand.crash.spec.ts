import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { registryDir } from '../../lib/control/arbiterRegistry.js';
import { FOCUS, rxpulsarTest, startTest } from '../support/testCli.js';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

/** The spec runners (`entry/runner.js`) whose parent is `pid`. */
function runnersOf(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === pid && args.join(' ').includes('runner.js'))
    .map(([child]) => Number(child));
}

/** Run `rxpulsar test` to its end; `onStart` is called with its pid as it starts. */
async function runTest(
  args: string[],
  onStart: (pid: number) => Promise<void> = () => Promise.resolve(),
): Promise<{ code: number | null; stdout: string }> {
  const child = startTest([...args, '--no-durations']);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await onStart(child.pid!);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { code: await exited, stdout };
}

describe('rxpulsar test (command line)', function () {
  this.timeout(90_000);
  let dir = '';
  const file = (name: string): string => join(dir, `${name}.spec.cjs`);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxpulsar-crash-'));
    for (const name of ['ok1', 'ok2', 'ok3']) {
      writeFileSync(file(name), `describe('${name}', () => { it('passes', () => {}); });\n`);
    }
    writeFileSync(
      file('focused'),
      `describe('focused', () => { it.${FOCUS}('the one', () => {}); it('not', () => {}); });\n`,
    );
    writeFileSync(
      file('kills'),
      "describe('kills', () => { it('before', () => {}); " +
        "it('dies', () => { process.kill(process.pid, 'SIGKILL'); }); it('after', () => {}); });\n",
    );
    writeFileSync(
      file('slow'),
      "describe('slow', () => { for (let i = 0; i < 20; i++) it('t' + i, async () => " +
        '{ await new Promise((r) => setTimeout(r, 300)); }); });\n',
    );
    writeFileSync(file('broken'), "describe('broken', () => {\n");
    // Says whether the command (its runner's parent) has booted its
    // application (its arbiter registered), and what `rxpulsar ps` sees then.
    writeFileSync(
      file('booted'),
      `const { execFileSync } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
describe('booted', () => { it('tells', async () => {
  const entry = join(${JSON.stringify(registryDir())}, process.ppid + '.json');
  // Booted at the start (a setting's variable): the arbiter registers as
  // its control socket listens, maybe after this file began.
  const until = Date.now() + (process.env.RXPULSAR_WORKERS ? 10000 : 0);
  while (!existsSync(entry) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const registered = existsSync(entry);
  console.log('registered: ' + registered);
  if (!registered) return;
  const pidFile = join(${JSON.stringify(dir)}, 'pid-' + process.ppid);
  writeFileSync(pidFile, String(process.ppid));
  const rows = JSON.parse(execFileSync(process.execPath, [${JSON.stringify(bin)}, 'ps', '--pid-file', pidFile, '--json'], { encoding: 'utf8' }));
  console.log('ps: ' + [...new Set(rows.map((row) => row.app))].join(','));
}); });
`,
    );
    writeFileSync(file('exitsAtLoad'), `// mentions .${FOCUS} in a comment\nprocess.exit(4);\n`);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('crash isolation', () => {
    it('should keep .only across files when the prestarted runners die before the run', async () => {
      const { code, stdout } = await runTest(
        [file('ok1'), file('focused'), file('ok2'), file('ok3'), '-w', '2'],
        async (pid) => {
          // Killed as soon as both are forked, before they run anything.
          for (let i = 0; i < 2000; i++) {
            const runners = runnersOf(pid);
            if (runners.length >= 2) {
              for (const runner of runners) process.kill(runner, 'SIGKILL');
              return;
            }
            await sleep(5);
          }
          throw new Error('no runners forked');
        },
      );
      expect(code, stdout).to.equal(0);
      expect(stdout).to.contain('✔ the one').and.contain('1 passing');
      expect(stdout).to.not.contain('failing');
    });

    it('should report a file that exits while loading when another file holds a .only', async () => {
      const { code, stdout } = await runTest([
        file('exitsAtLoad'),
        file('ok1'),
        file('ok2'),
        file('focused'),
        '-w',
        '2',
      ]);
      expect(code, stdout).to.equal(1);
      expect(stdout)
        .to.contain('1 failing')
        .and.match(/exited \(code 4\) while running .*exitsAtLoad/);
    });
  });

  describe('the application', () => {
    it('should run a suite that loses no runner without booting it (no arbiter registered)', async () => {
      const { code, stdout } = await runTest([file('ok1'), file('booted'), '-w', '2']);
      expect(code, stdout).to.equal(0);
      expect(stdout).to.contain('registered: false').and.contain('2 passing');
    });

    it("should boot it for a setting's variable (RXPULSAR_WORKERS), not for another RXPULSAR_ name", async () => {
      const other = await rxpulsarTest([file('ok1'), file('booted'), '-w', '2'], {
        RXPULSAR_BENCH_EXTERNAL: '0',
      });
      expect(other.code, other.stdout).to.equal(0);
      expect(other.stdout).to.contain('registered: false');
      const setting = await rxpulsarTest([file('ok1'), file('booted')], { RXPULSAR_WORKERS: '2' });
      expect(setting.code, setting.stdout).to.equal(0);
      expect(setting.stdout).to.contain('registered: true');
    });

    it('should boot it once a runner is lost: its pool runs the files left, and rxpulsar ps sees it', async () => {
      // One runner: it dies in \`kills\`; \`booted\` (held ahead) goes to the pool's first worker.
      const { code, stdout } = await runTest([file('kills'), file('booted'), '-w', '1']);
      expect(code, stdout).to.equal(1);
      expect(stdout).to.contain('registered: true').and.contain('ps: testsuite');
      expect(stdout)
        .to.contain('1 failing')
        .and.match(/exited \(signal SIGKILL\)/);
    });
  });

  describe('stopping', () => {
    for (const [when, first, says] of [
      ['a worker crash', 'kills', /exited \(signal SIGKILL\)/],
      ['a file fails to load', 'broken', /SyntaxError/],
    ] as const) {
      it(`should stop the whole run with --bail after ${when}`, async () => {
        const args = [first, 'slow', 'ok1', 'ok2'].map(file);
        const { code, stdout } = await runTest([...args, '-w', '2', '--bail']);
        expect(code, stdout).to.equal(1);
        expect(stdout).to.contain('1 failing').and.match(says);
        expect(Number(/(\d+) passing/.exec(stdout)?.[1])).to.be.below(10);
      });
    }
  });

  describe('errors of its own', () => {
    it('should say one in a line of its own, without a stack, and exit 1: a temp directory too long for a socket path', async () => {
      const long = join(dir, 'x'.repeat(100));
      mkdirSync(long);
      const { code, stdout, stderr } = await rxpulsarTest([file('ok1'), '-w', '1'], {
        TMPDIR: long,
      });
      expect(code, stdout + stderr).to.equal(1);
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).to.have.length(1);
      expect(lines[0])
        .to.match(/^rxpulsar test: the hub socket path .* is \d+ bytes long/)
        .and.contain('set TMPDIR to a shorter folder');
      expect(stdout + stderr).to.not.contain('Exception during run');
      // Nothing left in it.
      expect(readdirSync(long)).to.deep.equal([]);
    });
  });
});
