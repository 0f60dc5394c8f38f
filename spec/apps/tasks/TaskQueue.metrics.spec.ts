import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { arbiter, type Arbiter } from '../../../lib/index.js';
import { dataDir, metered } from '../../fixtures/tasks/app.js';
import { sample, scrape } from '../../support/prometheus.js';
import { within } from '../../support/waiting.js';

describe('TaskQueue', function () {
  this.timeout(60_000);
  let a: Arbiter;
  const app = 'spec-metered';

  before(async () => {
    rmSync(dataDir(app), { recursive: true, force: true });
    a = arbiter({ signals: false, metrics: '127.0.0.1:0' });
    await metered.start();
  });

  after(async () => {
    await metered.stop();
    await a.stop();
    rmSync(dataDir(app), { recursive: true, force: true });
  });

  describe('task$ (with --metrics)', () => {
    it('should count tasks by the state they enter and observe their durations at /metrics', async () => {
      const ok = await Promise.all([1, 2, 3].map((i) => metered.queueTask('add', [i, i])));
      const failed = await metered.queueTask('fail', ['bad input']);
      const slow = await metered.queueTask('label', ['slow', 200]);
      const flaky = await metered.queueTask('flaky', [2]);
      for (const t of [...ok, failed, slow, flaky]) {
        await within(metered.waitForTask(t.id), 20_000, `task ${t.name} done`);
      }
      const text = await scrape(a.metricsAddress!);
      const tasks = (state: string): number | undefined =>
        sample(text, 'rxpulsar_tasks_total', { app, state });
      expect(tasks('PENDING')).to.equal(6);
      // flaky fails its first attempt, is retried once and succeeds: 7 starts.
      expect(tasks('STARTED')).to.equal(7);
      expect(tasks('RETRY')).to.equal(1);
      expect(tasks('SUCCESS')).to.equal(5);
      expect(tasks('FAILURE')).to.equal(1);
      const count = (job: string): number | undefined =>
        sample(text, 'rxpulsar_task_duration_seconds_count', { app, job });
      expect(count('add')).to.equal(3);
      expect(count('fail')).to.equal(1);
      expect(count('label')).to.equal(1);
      expect(
        sample(text, 'rxpulsar_task_duration_seconds_sum', { app, job: 'label' }),
      ).to.be.at.least(0.19);
      expect(
        sample(text, 'rxpulsar_task_duration_seconds_bucket', { app, job: 'label', le: '0.1' }),
      ).to.equal(0);
    });
  });
});
