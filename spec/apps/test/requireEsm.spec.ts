import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireEsm } from '../../../lib/apps/test/requireEsm.js';
import * as imported from '../../../lib/apps/test/wire.js';

const run = promisify(execFile);

describe('requireEsm', function () {
  this.timeout(60_000);

  describe('requireEsm()', () => {
    it('should give the module instance import() gives', async () => {
      const required = await requireEsm<typeof imported>(
        new URL('../../../lib/apps/test/wire.js', import.meta.url),
      );
      expect(required).to.equal(await import('../../../lib/apps/test/wire.js'));
      expect(required.RUN_FILE).to.equal(imported.RUN_FILE);
    });

    it("should import the module, not a loader's CommonJS copy, when a loader took over require (--import tsx)", async () => {
      const lib = new URL('../../../lib/apps/test/', import.meta.url).href;
      // A second copy of PrestartedRunners would not hold the runners started early: each file given them ran twice.
      const script =
        `const { requireEsm } = await import(${JSON.stringify(`${lib}requireEsm.js`)});\n` +
        `const url = new URL(${JSON.stringify(`${lib}PrestartedRunners.js`)});\n` +
        'const required = await requireEsm(url);\n' +
        'const imported = await import(url.href);\n' +
        // The next one too (imported at once: require is no longer tried).
        `const wire = await requireEsm(new URL(${JSON.stringify(`${lib}wire.js`)}));\n` +
        'process.stdout.write(String(required.PrestartedRunners === imported.PrestartedRunners && wire === await import(url.href.replace("PrestartedRunners", "wire"))));\n';
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { timeout: 50_000 },
      );
      expect(stdout).to.equal('true');
    });
  });
});
