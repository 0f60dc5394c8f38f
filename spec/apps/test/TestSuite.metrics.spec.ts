import { join } from 'node:path';
import { expect } from 'chai';
import { arbiter, TestSuite } from '../../../lib/index.js';
import { sample, scrape } from '../../support/prometheus.js';
import { fixture } from '../../support/testCli.js';

describe('TestSuite', function () {
  this.timeout(60_000);

  describe('run() (with --metrics)', () => {
    it('should count passes, failures and pending tests by app at /metrics', async () => {
      const a = arbiter({ signals: false, metrics: '127.0.0.1:0' });
      try {
        const suite = new TestSuite({
          name: 'spec-metered-tests',
          spec: [join(fixture('mixed'), 'alpha.test.js')],
          workers: 1,
          concurrency: 'thread',
          reporter: 'base',
          durations: false,
          grep: 'logs',
          invert: true,
        });
        const { stats } = await suite.run();
        const text = await scrape(a.metricsAddress!);
        const tests = (result: string): number | undefined =>
          sample(text, 'rxpulsar_tests_total', { app: 'spec-metered-tests', result });
        expect(stats).to.include({ passes: 2, failures: 2, pending: 2 });
        expect(tests('passed')).to.equal(2);
        expect(tests('failed')).to.equal(2);
        expect(tests('pending')).to.equal(2);
      } finally {
        await a.stop();
      }
    });
  });
});
