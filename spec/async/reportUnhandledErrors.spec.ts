import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Deferred } from '../../lib/async/Deferred.js';
import { reportUnhandledErrors } from '../../lib/async/reportUnhandledErrors.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import type { LogCapture } from '../../lib/log/captureLogs.js';

const run = promisify(execFile);

describe('reportUnhandledErrors()', () => {
  let logs: LogCapture;

  /** The error records that mention `text`. */
  function logged(text: string): string[] {
    return logs.records
      .filter((r) => r.level === 'error' && r.message.includes(text))
      .map((r) => r.message);
  }

  beforeEach(() => {
    reportUnhandledErrors();
    logs = captureLogs('error');
  });

  afterEach(() => {
    logs.restore();
  });

  it('should log a failure nobody listens to, with its stack, and return the count', () => {
    const err = new Error('nobody listens');
    new Deferred().errback(err);
    expect(reportUnhandledErrors()).to.equal(1);
    const messages = logged('nobody listens');
    expect(messages).to.have.length(1);
    expect(messages[0]).to.include(err.stack);
  });

  it('should log each failure once', () => {
    new Deferred().errback(new Error('once'));
    new Deferred().errback(new Error('once'));
    expect(reportUnhandledErrors()).to.equal(2);
    expect(reportUnhandledErrors()).to.equal(0);
    expect(logged('once')).to.have.length(2);
  });

  it('should log a reason that is not an Error', () => {
    new Deferred().errback('a plain reason');
    expect(reportUnhandledErrors()).to.equal(1);
    expect(logged('a plain reason')).to.have.length(1);
  });

  it('should log a failure that callbacks passed on to the end of the chain', () => {
    const d = new Deferred<number>();
    d.addCallback((n) => n + 1);
    d.callback(1);
    d.addCallback(() => {
      throw new Error('thrown by a callback');
    });
    expect(reportUnhandledErrors()).to.equal(1);
  });

  it('should log an errback that throws a new error', () => {
    const d = new Deferred();
    d.addErrback(() => {
      throw new Error('rethrown');
    });
    d.errback(new Error('original'));
    expect(reportUnhandledErrors()).to.equal(1);
    expect(logged('rethrown')).to.have.length(1);
  });

  it('should not log a failure an errback recovered', () => {
    new Deferred().addErrback(() => 'fine').errback(new Error('recovered'));
    expect(reportUnhandledErrors()).to.equal(0);
    expect(logged('recovered')).to.deep.equal([]);
  });

  it('should not log a failure an errback added later recovered', () => {
    const d = new Deferred();
    d.errback(new Error('later'));
    d.addErrback(() => null);
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should log again when an errback added later passes the error on', () => {
    const d = new Deferred();
    d.errback(new Error('passed on'));
    d.addErrback((e) => e);
    expect(reportUnhandledErrors()).to.equal(1);
  });

  it('should not log a failure observed with then()', async () => {
    const d = new Deferred();
    const seen = d.then(undefined, () => 'seen');
    d.errback(new Error('awaited'));
    expect(await seen).to.equal('seen');
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should not log a failure observed with asObservable() and a subscriber', () => {
    const d = new Deferred();
    d.asObservable().subscribe({ error: () => undefined });
    d.errback(new Error('subscribed'));
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should log a failure of an asObservable() with no subscriber', () => {
    const d = new Deferred();
    d.asObservable();
    d.errback(new Error('not subscribed'));
    expect(reportUnhandledErrors()).to.equal(1);
  });

  it('should not log a failure once a late subscriber arrives', () => {
    const d = new Deferred();
    const observable = d.asObservable();
    d.errback(new Error('late subscriber'));
    observable.subscribe({ error: () => undefined });
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should log a failure handed to an outer Deferred once, on the outer one', () => {
    const inner = new Deferred();
    const outer = new Deferred();
    outer.addCallback(() => inner);
    outer.callback(1);
    inner.errback(new Error('handed over'));
    expect(reportUnhandledErrors()).to.equal(1);

    const fired = new Deferred();
    fired.errback(new Error('taken'));
    const taker = new Deferred();
    taker.addCallback(() => fired).addErrback(() => null);
    taker.callback(1);
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should not log a success', () => {
    new Deferred().callback(new Deferred().addErrback(() => 1));
    new Deferred().callback(1);
    expect(reportUnhandledErrors()).to.equal(0);
  });

  it('should log a failure when the Deferred is garbage-collected', async function () {
    this.timeout(10_000);
    const fixture = fileURLToPath(
      new URL('../fixtures/async/collectUnhandled.js', import.meta.url),
    );
    const { stdout, stderr } = await run(process.execPath, ['--expose-gc', fixture], {
      env: { ...process.env, RXPULSAR_LOG_LEVEL: 'error' },
    });
    expect(stdout).to.equal('done\n');
    expect(stderr.match(/Unhandled error in Deferred: Error: lost and collected/g)).to.have.length(
      1,
    );
    expect(stderr).not.to.include('handled and collected');
  });
});
