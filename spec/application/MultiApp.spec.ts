import { expect } from 'chai';
import {
  arbiter,
  HttpServer,
  ImproperlyConfiguredError,
  MultiApp,
  rpcProxy,
  type Arbiter,
} from '../../lib/index.js';
import { site } from '../fixtures/apps/multi.js';

describe('MultiApp', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false });
    await site.start();
  });

  after(async () => {
    await site.stop();
    await a.stop();
  });

  describe('start()', () => {
    it('should start every app in one arbiter, each with its own monitor', () => {
      expect(site.apps.map((app) => app.name)).to.deep.equal(['spec-site', 'spec-site-rpc']);
      expect(a.monitors.get('spec-site')?.managedActors).to.have.length(2);
      expect(a.monitors.get('spec-site-rpc')?.managedActors).to.have.length(1);
    });

    it('should give prefixed settings to the prefixed app only', () => {
      const [web, rpc] = site.apps as unknown as [HttpServer, HttpServer];
      expect(web.cfg['workers']).to.equal(2);
      expect(rpc.cfg['workers']).to.equal(1);
      expect(web.address).not.to.equal(rpc.address);
    });

    it('should serve both apps', async () => {
      const [web, rpc] = site.apps as unknown as [HttpServer, HttpServer];
      const response = await fetch(`http://${web.address!}/`, {
        headers: { connection: 'close' },
      });
      expect(await response.text()).to.match(/^web \d+$/);
      const proxy = rpcProxy<{ where(): string }>(`http://${rpc.address!}`);
      try {
        expect(await proxy.where()).to.match(/^rpc \d+$/);
      } finally {
        proxy.$close();
      }
    });
  });

  describe('build()', () => {
    it('should need exactly one main app', async () => {
      class TwoMains extends MultiApp {
        override *build(): Iterable<HttpServer> {
          const callable = (): void => undefined;
          yield this.newApp(HttpServer, '', { name: 'one', callable });
          yield this.newApp(HttpServer, '', { name: 'two', callable });
        }
      }
      let error: unknown;
      await new TwoMains({ argv: [], exitOnConfigError: false })
        .start()
        .then(undefined, (err: unknown) => {
          error = err;
        });
      expect(error).to.be.instanceOf(ImproperlyConfiguredError);
    });
  });
});
