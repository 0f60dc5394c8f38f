import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const MODULE = fileURLToPath(new URL('../../lib/log/createLogger.js', import.meta.url));

/** Run `body` in a fresh process (a process's root logger is created once). */
function inFreshProcess(body: string): Promise<{ stdout: string; stderr: string }> {
  const script =
    `import { createRequire } from 'node:module';\n` +
    `const require = createRequire(import.meta.url);\n` +
    `const winstonLoaded = () => Object.keys(require.cache).some((k) => k.includes('/winston/'));\n` +
    `const { configureLogging, createLogger } = await import(${JSON.stringify(MODULE)});\n` +
    body;
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env['RXPULSAR_LOG_LEVEL'];
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { env },
      (err, stdout, stderr) => {
        if (err === null) resolve({ stdout, stderr });
        else reject(new Error(`${err.message}\n${stderr}`));
      },
    );
  });
}

describe('createLogger', () => {
  describe('configureLogging()', () => {
    it('should not load winston before the first line, and apply its settings then', async () => {
      const { stdout, stderr } = await inFreshProcess(
        `configureLogging({ level: 'debug', format: 'json' });\n` +
          `console.log('before', winstonLoaded());\n` +
          `createLogger('spec').debug('shown at debug');\n` +
          `console.log('after', winstonLoaded());\n`,
      );
      expect(stdout).to.contain('before false').and.contain('after true');
      const line = JSON.parse(stderr.trim().split('\n').pop()!) as Record<string, unknown>;
      expect(line).to.include({ level: 'debug', message: 'shown at debug', label: 'spec' });
    });

    it('should apply to the root logger at once once it exists', async () => {
      const { stderr } = await inFreshProcess(
        `const log = createLogger('spec');\n` +
          `log.info('first');\n` +
          `configureLogging({ level: 'silent' });\n` +
          `log.error('hidden');\n`,
      );
      expect(stderr).to.contain('first').and.not.contain('hidden');
    });
  });
});
