import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ConfigError } from '../../lib/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../lib/config/loadConfig.js';
import { envOf, flagOf } from '../../lib/config/names.js';
import { appSettings, globalSettings, serverSettings } from '../../lib/config/settings.js';
import type { Schema } from '../../lib/config/Setting.js';
import { MAX_TIMER_MS } from '../../lib/util/maxTimerMs.js';

const schema: Schema = { ...globalSettings, ...appSettings, ...serverSettings };
const LIMIT = 'must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)';
const DAY = 86_400_000;

/** The message of the ConfigError a load throws. */
function refusal(options: Omit<LoadConfigOptions, 'schema'>, of: Schema = schema): ConfigError {
  try {
    loadConfig({ schema: of, env: {}, ...options });
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('loadConfig() should have thrown');
}

describe('loadConfig()', () => {
  describe('durations past MAX_TIMER_MS', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxp-config-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('should refuse one from a flag, saying the limit', () => {
      const err = refusal({ argv: ['--timeout=30d'] });
      expect(err.message).to.equal(`timeout = "30d" (--timeout): ${LIMIT}`);
      expect(err.exitCode).to.equal(2);
    });

    it('should refuse one from the environment', () => {
      const err = refusal({ env: { RXPULSAR_PERIOD: '30 days' } });
      expect(err.message).to.equal(`period = "30 days" (env RXPULSAR_PERIOD): ${LIMIT}`);
    });

    it('should refuse them from a config file, one line each', () => {
      const path = join(dir, 'long.json');
      writeFileSync(path, JSON.stringify({ exitTimeout: '25 days', keepAlive: MAX_TIMER_MS + 1 }));
      const err = refusal({ argv: ['--config', path] });
      expect(err.message.split('\n')).to.deep.equal([
        `exitTimeout = "25 days" (file ${path}): ${LIMIT}`,
        `keepAlive = 2147483648 (file ${path}): ${LIMIT}`,
      ]);
    });

    it('should refuse one from the params', () => {
      const err = refusal({ params: { gracefulTimeout: 30 * DAY } });
      expect(err.message).to.equal(`gracefulTimeout = 2592000000 (params): ${LIMIT}`);
    });

    it('should refuse it for every standard duration setting, by flag and by env', () => {
      const durations = Object.keys(schema).filter((key) => schema[key]!.format === 'duration');
      expect(durations).to.include.members(['period', 'timeout', 'requestTimeout', 'keepAlive']);
      for (const key of durations) {
        const byFlag = refusal({ argv: [flagOf(key), '30d'] }).problems;
        expect(byFlag.map((p) => [p.key, p.expected])).to.deep.equal([[key, LIMIT]]);
        const byEnv = refusal({ env: { [envOf(key)]: '30d' } }).problems;
        expect(byEnv.map((p) => [p.key, p.expected])).to.deep.equal([[key, LIMIT]]);
      }
    });

    it('should take MAX_TIMER_MS itself, 24 days and 0 (keepAlive: no limit)', () => {
      const { values } = loadConfig({
        schema,
        env: { RXPULSAR_TIMEOUT: String(MAX_TIMER_MS) },
        argv: ['--period', '24 d', '--keep-alive', '0'],
      });
      expect(values['timeout']).to.equal(MAX_TIMER_MS);
      expect(values['period']).to.equal(24 * DAY);
      expect(values['keepAlive']).to.equal(0);
    });

    it('should take any length for a longDuration setting (no timer waits it)', () => {
      const kept: Schema = { keep: { doc: 'How long.', format: 'longDuration', default: '1 d' } };
      expect(
        loadConfig({ schema: kept, env: {}, argv: ['--keep', '90 days'] }).values,
      ).to.deep.equal({
        keep: 90 * DAY,
      });
      expect(refusal({ argv: ['--keep', 'forever'] }, kept).problems[0]!.expected).to.match(
        /must be a duration/,
      );
    });

    it('should make the CLI exit 2 on --timeout=30d, printing the line, starting nothing', async () => {
      const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));
      const app = fileURLToPath(new URL('../fixtures/apps/cli-hello.js', import.meta.url));
      const { code, stdout, stderr } = await new Promise<{
        code: number;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        execFile(
          process.execPath,
          [bin, app, '--timeout=30d', '--bind', '127.0.0.1:0'],
          { timeout: 20_000 },
          (err, out, errOut) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: out, stderr: errOut }),
        );
      });
      expect(code).to.equal(2);
      expect(stderr).to.contain(`timeout = "30d" (--timeout): ${LIMIT}`);
      expect(stderr).not.to.match(/^\s+at /m);
      expect(stdout).not.to.contain('address');
    });
  });
});
