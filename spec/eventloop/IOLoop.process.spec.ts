import { expect } from 'chai';
import { runFixture } from '../support/eventloop.js';

describe('IOLoop', () => {
  describe('process lifetime (child processes)', function () {
    // A fixture is killed after 20 s: far more than it needs on a busy
    // machine, far less than the 60 s timers a loop that did not stop keeps.
    this.timeout(30_000);

    it('should hold no handle after stop(), so the process exits by itself', async () => {
      const run = await runFixture('stopsCleanly', 20_000);
      expect(run.stderr).to.equal('');
      expect(run.signal, 'killed: the process did not exit by itself').to.equal(null);
      expect(run.code).to.equal(0);
      const report = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(report).to.deep.include({ running: false, signalListeners: 0, emitterListeners: 0 });
      expect(report['numLoops']).to.be.a('number').greaterThan(1);
    });

    it('should keep the process alive while running', async () => {
      const run = await runFixture('keepsAlive', 20_000);
      expect(run.stderr).to.equal('');
      expect(run.code, 'exit code 13 means nothing kept the process alive').to.equal(0);
      const report = JSON.parse(run.stdout) as { elapsedMs: number };
      expect(report.elapsedMs).to.be.at.least(195);
      expect(run.elapsedMs).to.be.at.least(200);
    });
  });
});
