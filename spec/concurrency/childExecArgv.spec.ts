/**
 * The flags a forked child starts with (lib/concurrency/childExecArgv.ts):
 * an arbiter started by `node -e` gave its process actors its script, which
 * they ran instead of their entry.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { childExecArgv } from '../../lib/concurrency/childExecArgv.js';

const index = fileURLToPath(new URL('../../lib/index.js', import.meta.url));

describe('childExecArgv', function () {
  this.timeout(30_000);

  it('should drop the options that replace the entry, and their script; keep the rest', () => {
    expect(
      childExecArgv(['--enable-source-maps', '-e', 'start()', '--max-old-space-size=64']),
    ).to.deep.equal(['--enable-source-maps', '--max-old-space-size=64']);
    expect(childExecArgv(['--eval', 'x', '-p', 'y', '-pe', 'z', '--print', 'w'])).to.deep.equal([]);
    expect(
      childExecArgv(['--eval=x', '--print=y', '-i', '--interactive', '-c', '--check']),
    ).to.deep.equal([]);
    expect(childExecArgv(['--import', 'tsx', '-r', './hook.cjs'])).to.deep.equal([
      '--import',
      'tsx',
      '-r',
      './hook.cjs',
    ]);
  });

  it('should let an arbiter started by `node -e` spawn a process actor that runs its own entry', async () => {
    const script =
      `import(${JSON.stringify(index)}).then(async ({ arbiter, spawn }) => {` +
      ' await arbiter().start();' +
      " const actor = await spawn({ name: 'from-eval', concurrency: 'process', commands: { pid: () => process.pid } });" +
      " const pid = await actor.send('pid');" +
      ' await actor.stop(); await arbiter().stop();' +
      ' console.log(JSON.stringify({ own: pid !== process.pid }));' +
      '});';
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { timeout: 25_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(JSON.parse(out)).to.deep.equal({ own: true });
  });
});
