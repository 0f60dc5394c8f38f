import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const MODULE = fileURLToPath(new URL('../../lib/log/createLogger.js', import.meta.url));
const INDEX = fileURLToPath(new URL('../../lib/index.js', import.meta.url));

/**
 * Run `body` in a fresh process (a process's root logger is created once),
 * at the default level unless `level` is given.
 */
function inFreshProcess(body: string, level?: string): Promise<{ stdout: string; stderr: string }> {
  const script =
    `import { createRequire } from 'node:module';\n` +
    `const require = createRequire(import.meta.url);\n` +
    `const winstonLoaded = () => Object.keys(require.cache).some((k) => k.includes('/winston/'));\n` +
    `const { configureLogging, createLogger, warmLogging } = await import(${JSON.stringify(MODULE)});\n` +
    `const INDEX = ${JSON.stringify(INDEX)};\n` +
    body;
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env['RXPULSAR_LOG_LEVEL'];
    if (level !== undefined) env['RXPULSAR_LOG_LEVEL'] = level;
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

  describe('warmLogging()', () => {
    it('should load winston when warnings are written, and not when they are dropped', async () => {
      const { stdout } = await inFreshProcess(
        `warmLogging();\n` + `console.log('default', winstonLoaded());\n`,
      );
      expect(stdout).to.contain('default true');
      for (const level of ['error', 'silent']) {
        const dropped = await inFreshProcess(
          `configureLogging({ level: ${JSON.stringify(level)} });\n` +
            `warmLogging();\n` +
            `console.log('${level}', winstonLoaded());\n`,
        );
        expect(dropped.stdout).to.contain(`${level} false`);
      }
    });

    // A pool's first heal waited for winston to load (52-74 ms instead of 5-14).
    it('should be called by a pool once it is up, before its first failure', async () => {
      const pool =
        `const { arbiter } = await import(INDEX);\n` +
        `const a = arbiter();\n` +
        `await a.start();\n` +
        `const pool = a.addMonitor('warm', { workers: 1, concurrency: 'thread' });\n` +
        `await pool.start();\n` +
        `console.log('started', winstonLoaded());\n` +
        `for (let i = 0; i < 100 && !winstonLoaded(); i++) await new Promise((r) => setTimeout(r, 10));\n` +
        `console.log('up', winstonLoaded());\n` +
        `await pool.stop();\n` +
        `await a.stop();\n`;
      const { stdout } = await inFreshProcess(pool);
      // Not loaded by the start itself (nothing logged), loaded right after.
      expect(stdout).to.contain('started false').and.contain('up true');
      const silent = await inFreshProcess(pool, 'silent');
      expect(silent.stdout).to.contain('up false');
    });
  });
});
