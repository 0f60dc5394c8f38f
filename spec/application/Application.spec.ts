import { expect } from 'chai';
import {
  Application,
  arbiter,
  ConfigError,
  getApplication,
  HttpServer,
  ImproperlyConfiguredError,
  send,
  type Arbiter,
} from '../../lib/index.js';
import { app, calls, Hooked } from '../fixtures/apps/hooked.js';
import { waitFor } from '../support/waiting.js';

describe('Application', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false });
    await app.start();
  });

  after(async () => {
    await app.stop();
    await a.stop();
    // Awaited before the monitor stopped its workers.
    expect(calls).to.include('monitorStopping with 2 workers');
  });

  describe('start()', () => {
    it('should add a monitor named after the app, with its workers running', () => {
      expect(app.monitor?.name).to.equal('spec-hooked');
      expect(app.monitor?.managedActors).to.have.length(2);
      expect(a.monitors.get('spec-hooked')).to.equal(app.monitor);
    });

    it('should read the configuration: params over schema defaults', () => {
      expect(app.cfg).to.include({ greeting: 'bonjour', workers: 2, concurrency: 'process' });
    });

    it('should register the app, found with getApplication()', () => {
      expect(getApplication('spec-hooked')).to.equal(app);
      expect(app.isWorker).to.equal(false);
    });

    it('should return the same Deferred when called again', () => {
      expect(app.start()).to.equal(app.start());
    });
  });

  describe('hooks', () => {
    it('should run the arbiter-side hooks in order', async () => {
      expect(calls.slice(0, 2)).to.deep.equal(['onConfig bonjour', 'monitorStart spec-hooked']);
      // Every period (50 ms): waited for, not a fixed 150 ms (a busy machine).
      await waitFor(() => calls.includes('monitorTask'), 10_000, 'monitorTask');
      const info = (await send('spec-hooked', 'info')) as Record<string, unknown>;
      expect(info['hooked']).to.equal(true);
    });

    it('should run workerStart in every worker, with the arbiter configuration', async () => {
      for (const worker of app.monitor!.managedActors) {
        expect(await send(worker, 'greet', 'ann')).to.equal('bonjour ann');
        const info = (await send(worker, 'info')) as Record<string, unknown>;
        expect(info).to.include({ stamp: 'from actorParams', isWorker: true });
      }
    });

    it('should find the app from a worker with getApplication()', async () => {
      const [worker] = app.monitor!.managedActors;
      const found = await send(worker!, 'run', async (actor: { cfg: Record<string, unknown> }) => {
        const entry = (await import(String(actor.cfg['rxpulsarRegistry']))) as {
          getApplication(name: string): { name: string } | undefined;
        };
        return entry.getApplication('spec-hooked')?.name;
      });
      expect(found).to.equal('spec-hooked');
    });
  });

  describe('errors', () => {
    it('should refuse a second app with the same name', async () => {
      const twin = new Hooked({ name: 'spec-hooked', argv: [], exitOnConfigError: false });
      let error: unknown;
      await twin.start().then(undefined, (err: unknown) => {
        error = err;
      });
      expect(error).to.be.instanceOf(ImproperlyConfiguredError);
    });

    it('should refuse an unknown constructor param, with a "did you mean"', async () => {
      const typo = new HttpServer({
        name: 'spec-typo',
        callable: (_req, res) => res.end(),
        bnid: '127.0.0.1:0',
        maxRequest: 10,
        argv: [],
        exitOnConfigError: false,
      });
      let error: unknown;
      await typo.start().then(undefined, (err: unknown) => {
        error = err;
      });
      expect(error).to.be.instanceOf(ConfigError);
      expect(String(error))
        .to.contain('bnid')
        .and.contain('did you mean bind?')
        .and.contain('did you mean maxRequests?');
    });

    it('should take free-form values under extra, and durations as the config files do', async () => {
      const own = new Application({
        name: 'spec-extra',
        workers: 0,
        timeout: '3 seconds',
        extra: { greeting: 'hi' },
        argv: [],
        exitOnConfigError: false,
      });
      await own.start();
      expect(own.cfg['timeout']).to.equal(3000);
      expect(own.params.extra).to.deep.equal({ greeting: 'hi' });
      await own.stop();
    });

    it('should reject a bad setting with a ConfigError naming it', async () => {
      const bad = new Application({
        name: 'spec-bad',
        workers: -1,
        argv: ['--backlog', 'lots'],
        exitOnConfigError: false,
      });
      let error: unknown;
      await bad.start().then(undefined, (err: unknown) => {
        error = err;
      });
      expect(error).to.be.instanceOf(ConfigError);
      const problems = (error as ConfigError).problems.map((p) => p.key);
      expect(problems).to.include('workers').and.include('backlog');
      expect((error as ConfigError).exitCode).to.equal(2);
    });
  });

  describe('stop()', () => {
    it('should run monitorStopping and stop the workers', async () => {
      const other = new Hooked({
        name: 'spec-hooked-2',
        workers: 1,
        module: new URL('../fixtures/apps/hooked.js', import.meta.url),
        argv: [],
        exitOnConfigError: false,
      });
      // Workers import the module again, where only 'spec-hooked' is built:
      // this app's workers cannot find their app and fail to start.
      let failed = false;
      await other.start().then(undefined, () => {
        failed = true;
      });
      expect(failed).to.equal(true);
      await other.stop();
      expect(calls).to.include('monitorStopping with 0 workers');
    });
  });
});
