import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
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

  it('should refuse an unknown option with exit code 2', async () => {
    const { code, stderr } = await run(['--bogus']);
    expect(code).to.equal(2);
    expect(stderr).to.contain('unknown option --bogus');
  });

  it('should run a module that starts and stops an arbiter', async () => {
    const script = fileURLToPath(new URL('../fixtures/actors/arbiter-script.js', import.meta.url));
    const { code, stdout } = await run([script]);
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal(['pong', 'pong']);
  });
});
