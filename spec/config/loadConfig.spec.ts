import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config/loadConfig.js';
import { prefixSchema, unprefixValues } from '../../lib/config/prefixSchema.js';
import { appSettings, globalSettings, serverSettings } from '../../lib/config/settings.js';
import type { Schema } from '../../lib/config/Setting.js';

const schema: Schema = { ...globalSettings, ...appSettings, ...serverSettings };

describe('loadConfig()', () => {
  let dir: string;
  let file: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-config-'));
    file = join(dir, 'app.json');
    writeFileSync(file, JSON.stringify({ maxRequests: 20, workers: 3, timeout: '2 minutes' }));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('defaults', () => {
    it('should give every setting its schema default, durations in milliseconds', () => {
      const { values, sources, file: read, positionals } = loadConfig({ schema, env: {} });
      expect(values).to.deep.equal({
        config: null,
        logLevel: 'info',
        logFormat: 'text',
        debug: false,
        pidFile: null,
        name: null,
        metrics: null,
        maxMessageSize: 67108864,
        hub: null,
        hubCert: null,
        hubKey: null,
        hubCa: null,
        hubSecretFile: null,
        workers: 1,
        concurrency: 'process',
        minWorkers: null,
        maxWorkers: null,
        period: 1000,
        timeout: 30000,
        gracefulTimeout: 30000,
        exitTimeout: 5000,
        requestTimeout: 30000,
        maxRequests: 0,
        spares: 1,
        maxRestarts: 10,
        restartWindow: 60000,
        restartCooldown: 30000,
        onRestartLimit: 'retry',
        bind: '127.0.0.1:8060',
        backlog: 511,
        keepAlive: 5000,
      });
      expect(new Set(Object.values(sources))).to.deep.equal(new Set(['default']));
      expect(read).to.equal(undefined);
      expect(positionals).to.deep.equal([]);
    });

    it('should read neither process.argv nor anything but the given env', () => {
      const { values } = loadConfig({ schema, env: { RXPULSAR_WORKERS: '5' } });
      expect(values['workers']).to.equal(5);
    });
  });

  describe('precedence', () => {
    it('should let params override defaults', () => {
      const { values, sources } = loadConfig({ schema, env: {}, params: { maxRequests: 5 } });
      expect(values['maxRequests']).to.equal(5);
      expect(sources['maxRequests']).to.equal('params');
    });

    it('should let the file override params', () => {
      const params = { maxRequests: 5, config: file };
      const { values, sources, file: read } = loadConfig({ schema, env: {}, params });
      expect(values['maxRequests']).to.equal(20);
      expect(sources['maxRequests']).to.equal('file');
      expect(values['timeout']).to.equal(120_000);
      expect(read).to.equal(file);
      expect(values['config']).to.equal(file);
    });

    it('should let the environment override the file', () => {
      const env = { RXPULSAR_CONFIG: file, RXPULSAR_MAX_REQUESTS: '30' };
      const { values, sources } = loadConfig({ schema, env, params: { maxRequests: 5 } });
      expect(values['maxRequests']).to.equal(30);
      expect(sources['maxRequests']).to.equal('env');
      expect(values['workers']).to.equal(3);
    });

    it('should let flags override the environment', () => {
      const { values, sources } = loadConfig({
        schema,
        params: { maxRequests: 5 },
        env: { RXPULSAR_MAX_REQUESTS: '30' },
        argv: ['--config', file, '--max-requests', '40'],
      });
      expect(values['maxRequests']).to.equal(40);
      expect(sources['maxRequests']).to.equal('flag');
      expect(sources['workers']).to.equal('file');
    });

    it('should resolve a relative config path from cwd', () => {
      const { file: read } = loadConfig({ schema, env: {}, argv: ['--config=app.json'], cwd: dir });
      expect(read).to.equal(file);
    });
  });

  describe('flags', () => {
    it('should accept kebab-case flags with a separate value or after =', () => {
      const argv = ['--max-requests', '10', '--log-level=debug', '--request-timeout', '1500'];
      const { values } = loadConfig({ schema, env: {}, argv });
      expect(values['maxRequests']).to.equal(10);
      expect(values['logLevel']).to.equal('debug');
      expect(values['requestTimeout']).to.equal(1500);
    });

    it('should take --flag and --no-flag for booleans, without eating the next argument', () => {
      expect(loadConfig({ schema, env: {}, argv: ['--debug', 'app.js'] })).to.deep.include({
        positionals: ['app.js'],
      });
      const on = loadConfig({ schema, env: { RXPULSAR_DEBUG: 'false' }, argv: ['--debug'] });
      expect(on.values['debug']).to.equal(true);
      const off = loadConfig({ schema, env: { RXPULSAR_DEBUG: 'yes' }, argv: ['--no-debug'] });
      expect(off.values['debug']).to.equal(false);
      expect(loadConfig({ schema, env: {}, argv: ['--debug=0'] }).values['debug']).to.equal(false);
    });

    it('should accept the short aliases -w and -b', () => {
      const argv = ['-w', '4', '-b=0.0.0.0:9000'];
      const { values } = loadConfig({ schema, env: {}, argv });
      expect(values['workers']).to.equal(4);
      expect(values['bind']).to.equal('0.0.0.0:9000');
      expect(loadConfig({ schema, env: {}, argv: ['-w2'] }).values['workers']).to.equal(2);
    });

    it('should return positional arguments apart, and everything after --', () => {
      const argv = ['app.js', '-w', '2', 'extra', '--', '--workers', '9'];
      const { values, positionals } = loadConfig({ schema, env: {}, argv });
      expect(values['workers']).to.equal(2);
      expect(positionals).to.deep.equal(['app.js', 'extra', '--workers', '9']);
    });

    it('should let the last of a repeated flag win', () => {
      const argv = ['--workers', '2', '--workers=3'];
      expect(loadConfig({ schema, env: {}, argv }).values['workers']).to.equal(3);
    });
  });

  describe('environment', () => {
    it('should read upper snake case RXPULSAR_ variables and ignore unknown ones', () => {
      const env = {
        RXPULSAR_MAX_REQUESTS: '7',
        RXPULSAR_LOG_FORMAT: 'json',
        RXPULSAR_GRACEFUL_TIMEOUT: '2 minutes',
        RXPULSAR_ACTOR: '{"internal":true}',
        RXPULSAR_PID_FILE: '',
      };
      const { values } = loadConfig({ schema, env });
      expect(values['maxRequests']).to.equal(7);
      expect(values['logFormat']).to.equal('json');
      expect(values['gracefulTimeout']).to.equal(120_000);
      expect(values['pidFile']).to.equal(null);
    });
  });

  describe('durations', () => {
    for (const [given, ms] of [
      ['30 seconds', 30_000],
      [1500, 1500],
      ['1500', 1500],
      ['1.5 s', 1500],
      ['2m', 120_000],
      ['1 hour', 3_600_000],
    ] as const) {
      it(`should read ${JSON.stringify(given)} as ${ms} ms`, () => {
        expect(
          loadConfig({ schema, env: {}, params: { timeout: given } }).values['timeout'],
        ).to.equal(ms);
      });
    }
  });

  describe('prefix', () => {
    it("should map --rpc-workers, RXPULSAR_RPC_BIND and rpcTimeout to the app's own keys", () => {
      const rpcFile = join(dir, 'rpc.json');
      writeFileSync(rpcFile, JSON.stringify({ rpcTimeout: '3 s', logFormat: 'json' }));
      const { values, sources } = loadConfig({
        schema,
        prefix: 'rpc',
        params: { maxRequests: 9, logLevel: 'warn' },
        env: {
          RXPULSAR_RPC_BIND: '127.0.0.1:0',
          RXPULSAR_BIND: '127.0.0.1:1',
          RXPULSAR_CONFIG: rpcFile,
        },
        argv: ['--rpc-workers', '2', '--debug'],
      });
      expect(values).to.include({
        workers: 2,
        bind: '127.0.0.1:0',
        timeout: 3000,
        maxRequests: 9,
        logLevel: 'warn',
        logFormat: 'json',
        debug: true,
      });
      expect(sources).to.include({
        workers: 'flag',
        bind: 'env',
        timeout: 'file',
        maxRequests: 'params',
      });
      expect(Object.keys(values)).to.have.members(Object.keys(schema));
    });

    it('should load several apps at once through prefixSchema() and unprefixValues()', () => {
      const web: Schema = {
        ...appSettings,
        root: { doc: 'Static files.', format: String, default: '.' },
      };
      const multi = {
        ...globalSettings,
        ...prefixSchema(appSettings, 'rpc'),
        ...prefixSchema(web, 'web'),
      };
      const argv = [
        '--rpc-workers',
        '2',
        '--web-workers=3',
        '--web-root',
        '/srv',
        '--log-level',
        'warn',
      ];
      const { values } = loadConfig({ schema: multi, env: {}, argv });
      expect(unprefixValues(values, { ...globalSettings, ...appSettings }, 'rpc')).to.include({
        workers: 2,
        logLevel: 'warn',
      });
      expect(unprefixValues(values, web, 'web')).to.include({ workers: 3, root: '/srv' });
      expect(Object.keys(multi)).to.not.include('workers');
    });
  });

  describe('extended schemas', () => {
    it("should load an app's own settings with the standard ones", () => {
      const own: Schema = {
        ...schema,
        staticRoot: { doc: 'Static files.', format: String, default: 'public' },
        cacheTtl: { doc: 'Cache lifetime.', format: 'duration', default: '1 minute' },
      };
      const env = { RXPULSAR_CACHE_TTL: '2 s' };
      const { values } = loadConfig({ schema: own, env, argv: ['--static-root', 'www'] });
      expect(values).to.include({ staticRoot: 'www', cacheTtl: 2000, workers: 1 });
    });
  });
});
