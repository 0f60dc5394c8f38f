import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, ImproperlyConfiguredError, type ConfigProblem } from '../../lib/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../lib/config/loadConfig.js';
import { appSettings, globalSettings, serverSettings } from '../../lib/config/settings.js';

const schema = { ...globalSettings, ...appSettings, ...serverSettings };

/** The ConfigError a load throws. */
function failure(options: Omit<LoadConfigOptions, 'schema'>): ConfigError {
  try {
    loadConfig({ schema, env: {}, ...options });
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('loadConfig() should have thrown');
}

/** The only problem of a failed load, checked against its only message line. */
function only(options: Omit<LoadConfigOptions, 'schema'>): ConfigProblem {
  const err = failure(options);
  expect(err.problems).to.have.length(1);
  expect(err.message.split('\n')).to.have.length(1);
  return err.problems[0]!;
}

describe('loadConfig()', () => {
  describe('errors', () => {
    let dir: string;

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rxp-config-'));
    });

    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    const writeJson = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('should throw a ConfigError, an ImproperlyConfiguredError with code RXP_ERR_CONFIG and exitCode 2', () => {
      const err = failure({ argv: ['--workers', 'many'] });
      expect(err).to.be.instanceOf(ImproperlyConfiguredError);
      expect(err.code).to.equal('RXP_ERR_CONFIG');
      expect(err.name).to.equal('ConfigError');
      expect(err.exitCode).to.equal(2);
    });

    it('should refuse an unknown key of the file, naming the key, value, file and a suggestion', () => {
      const path = writeJson('typo.json', '{ "maxRequest": 10 }');
      const problem = only({ argv: ['--config', path] });
      expect(problem).to.deep.include({ key: 'maxRequest', value: 10, source: 'file' });
      const err = failure({ argv: ['--config', path] });
      expect(err.message).to.equal(
        `maxRequest = 10 (file ${path}): unknown setting (did you mean maxRequests?)`,
      );
    });

    it('should refuse the config key inside a config file', () => {
      const path = writeJson('nested.json', `{ "config": "other.json" }`);
      expect(only({ argv: ['--config', path] })).to.deep.include({ key: 'config', source: 'file' });
    });

    it('should refuse an unknown flag', () => {
      const err = failure({ argv: ['--wokers', '2'] });
      expect(err.problems[0]).to.deep.include({
        key: 'wokers',
        source: 'flag',
        origin: '--wokers',
      });
      expect(err.message).to.equal(
        'wokers = (no value) (--wokers): unknown option (did you mean --workers?)',
      );
    });

    it('should refuse an unknown param', () => {
      expect(only({ params: { wrokers: 2 } })).to.deep.include({
        key: 'wrokers',
        source: 'params',
      });
    });

    it('should refuse a value of the wrong type, naming the env variable', () => {
      const err = failure({ env: { RXPULSAR_WORKERS: 'four' } });
      expect(err.problems).to.deep.equal([
        {
          key: 'workers',
          value: 'four',
          source: 'env',
          origin: 'env RXPULSAR_WORKERS',
          expected: 'must be an integer >= 0',
        },
      ]);
      expect(err.message).to.equal(
        'workers = "four" (env RXPULSAR_WORKERS): must be an integer >= 0',
      );
    });

    it('should refuse a wrong type in the file even when a higher source overrides it', () => {
      const path = writeJson('types.json', '{ "debug": "maybe", "logLevel": 3 }');
      const err = failure({ argv: ['--config', path, '--debug'] });
      expect(err.problems.map((p) => [p.key, p.source])).to.deep.equal([
        ['debug', 'file'],
        ['logLevel', 'file'],
      ]);
    });

    it('should refuse a value out of range', () => {
      const problem = only({ argv: ['--bind', 'localhost:70000'] });
      expect(problem).to.deep.include({ key: 'bind', value: 'localhost:70000', origin: '--bind' });
      expect(problem.expected).to.match(/port from 0 to 65535/);
      expect(only({ params: { workers: -1 } }).expected).to.equal('must be an integer >= 0');
    });

    it('should refuse a pool of more than MAX_POOL_WORKERS (1024), from every source', () => {
      const limit = 'must be at most 1024 (MAX_POOL_WORKERS, the most workers a pool has)';
      expect(failure({ argv: ['--workers', '1025'] }).message).to.equal(
        `workers = "1025" (--workers): ${limit}`,
      );
      const path = writeJson('pool.json', '{ "minWorkers": 2000, "maxWorkers": 3000 }');
      const err = failure({ argv: ['--config', path], env: { RXPULSAR_WORKERS: '1025' } });
      expect(err.problems.map((p) => [p.key, p.origin, p.expected])).to.deep.equal([
        ['minWorkers', `file ${path}`, limit],
        ['maxWorkers', `file ${path}`, limit],
        ['workers', 'env RXPULSAR_WORKERS', limit],
      ]);
      expect(err.exitCode).to.equal(2);
      expect(loadConfig({ schema, env: {}, argv: ['-w', '1024'] }).values.workers).to.equal(1024);
    });

    it('should refuse a count too large to be exact (99999999999999999999 is no 1e20)', () => {
      const huge = '99999999999999999999';
      expect(only({ argv: ['--workers', huge] })).to.deep.include({ key: 'workers', value: huge });
      expect(only({ env: { RXPULSAR_BACKLOG: huge } })).to.deep.include({
        key: 'backlog',
        expected: 'must be at most 9007199254740991',
      });
      expect(only({ params: { maxRequests: 1e20 } }).expected).to.equal(
        'must be at most 9007199254740991',
      );
    });

    it('should refuse a value not in an enumeration, listing the allowed ones', () => {
      const problem = only({ argv: ['--concurrency=fork'] });
      expect(problem.expected).to.include('"process","thread"');
    });

    it('should refuse a duration it cannot read', () => {
      const problem = only({ env: { RXPULSAR_TIMEOUT: '30 fortnights' } });
      expect(problem.expected).to.match(/duration/);
    });

    it('should refuse --no- on a setting that is not a boolean, and a flag without its value', () => {
      expect(only({ argv: ['--no-workers'] }).expected).to.match(/only for true\/false/);
      expect(only({ argv: ['--bind'] })).to.deep.include({
        key: 'bind',
        expected: 'needs a value',
      });
      expect(only({ argv: ['--bind', '--debug'] }).key).to.equal('bind');
    });

    it('should name the file and the parse error of malformed JSON', () => {
      const path = writeJson('bad.json', '{ "workers": 2, }');
      const problem = only({ env: { RXPULSAR_CONFIG: path } });
      expect(problem).to.deep.include({
        key: 'config',
        value: path,
        origin: 'env RXPULSAR_CONFIG',
      });
      expect(problem.expected).to.match(/^must be valid JSON: /);
      const err = failure({ env: { RXPULSAR_CONFIG: path } });
      expect(err.message).to.include(path);
    });

    it('should refuse a file that is not an object of settings', () => {
      const path = writeJson('list.json', '[1, 2]');
      expect(only({ params: { config: path } }).expected).to.match(/JSON object/);
    });

    it('should refuse a missing file', () => {
      const path = join(dir, 'missing.json');
      const err = failure({ argv: [`--config=${path}`] });
      expect(err.message).to.equal(
        `config = ${JSON.stringify(path)} (--config): must be a readable JSON file (no such file)`,
      );
    });

    it('should list every problem, one line each, lowest source first', () => {
      const path = writeJson('several.json', '{ "bogus": true }');
      const err = failure({
        params: { backlog: 'lots' },
        env: { RXPULSAR_CONFIG: path, RXPULSAR_MAX_REQUESTS: '-3' },
        argv: ['--log-level', 'loud', '--unknown'],
      });
      expect(err.problems.map((p) => p.source)).to.deep.equal([
        'params',
        'file',
        'env',
        'flag',
        'flag',
      ]);
      const lines = err.message.split('\n');
      expect(lines).to.have.length(5);
      expect(lines[0]).to.equal('backlog = "lots" (params): must be an integer >= 0');
      expect(lines[1]).to.equal(`bogus = true (file ${path}): unknown setting`);
      expect(lines[2]).to.equal(
        'maxRequests = "-3" (env RXPULSAR_MAX_REQUESTS): must be an integer >= 0',
      );
      expect(lines).to.include('unknown = (no value) (--unknown): unknown option');
      expect(lines.find((l) => l.startsWith('logLevel'))).to.match(
        /^logLevel = "loud" \(--log-level\): must be one of/,
      );
    });

    it('should refuse unprefixed app flags under a prefix, suggesting the prefixed one', () => {
      const err = failure({ prefix: 'rpc', argv: ['--workers', '2'] });
      expect(err.problems[0]!.expected).to.equal('unknown option (did you mean --rpc-workers?)');
    });
  });
});
