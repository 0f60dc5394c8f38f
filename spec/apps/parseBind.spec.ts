import { expect } from 'chai';
import { HttpServer, ImproperlyConfiguredError, parseBind } from '../../lib/index.js';

describe('parseBind()', () => {
  it('should read host:port, :port, port, [ipv6]:port and socket paths', () => {
    expect(parseBind('127.0.0.1:8060')).to.deep.equal({ host: '127.0.0.1', port: 8060 });
    expect(parseBind(':0')).to.deep.equal({ host: '0.0.0.0', port: 0 });
    expect(parseBind('8060')).to.deep.equal({ host: '0.0.0.0', port: 8060 });
    expect(parseBind('[::1]:80')).to.deep.equal({ host: '::1', port: 80 });
    expect(parseBind('/tmp/app.sock')).to.deep.equal({ path: '/tmp/app.sock' });
  });

  it('should refuse anything else with a clear error', () => {
    expect(() => parseBind('localhost')).to.throw(
      ImproperlyConfiguredError,
      'bind must be host:port',
    );
  });
});

describe('ServerApp', () => {
  it('should refuse thread workers, which cannot share a listening socket', async () => {
    const app = new HttpServer({
      name: 'spec-threaded',
      callable: (_req, res) => res.end(),
      concurrency: 'thread',
      argv: [],
      exitOnConfigError: false,
    });
    let error: unknown;
    await app.start().then(undefined, (err: unknown) => {
      error = err;
    });
    expect(error).to.be.instanceOf(ImproperlyConfiguredError);
    expect(String(error)).to.contain('must be "process" for a server app');
  });
});
