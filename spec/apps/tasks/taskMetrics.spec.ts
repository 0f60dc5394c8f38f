import { expect } from 'chai';
import { metricsRegistry, type Task } from '../../../lib/index.js';
import { taskMetrics } from '../../../lib/apps/tasks/taskMetrics.js';
import { Subject } from '../../../lib/rx.js';
import { sample } from '../../support/prometheus.js';

const task = (state: Task['state'], more: Partial<Task> = {}): Task => ({
  id: 't1',
  name: 'resize',
  args: [],
  state,
  attempts: 1,
  priority: 0,
  queuedAt: 1000,
  ...more,
});

describe('taskMetrics()', () => {
  const names = ['rxpulsar_tasks_total', 'rxpulsar_task_duration_seconds'];
  const clear = async (): Promise<void> => {
    const registry = await metricsRegistry();
    for (const name of names) registry.removeSingleMetric(name);
  };
  beforeEach(clear);
  afterEach(clear);

  it('should count a transition once, not every progress report, and observe the run at the end', async () => {
    const task$ = new Subject<Task>();
    const stop = await taskMetrics('spec-unit', task$, { warn: () => undefined });
    task$.next(task('PENDING'));
    task$.next(task('STARTED', { startedAt: 2000 }));
    task$.next(task('STARTED', { startedAt: 2000, progress: 50 }));
    task$.next(task('SUCCESS', { startedAt: 2000, endedAt: 3500 }));
    stop();
    task$.next(task('PENDING', { id: 't2' }));
    const text = await (await metricsRegistry()).metrics();
    const labels = { app: 'spec-unit' };
    expect(sample(text, 'rxpulsar_tasks_total', { ...labels, state: 'PENDING' })).to.equal(1);
    expect(sample(text, 'rxpulsar_tasks_total', { ...labels, state: 'STARTED' })).to.equal(1);
    expect(sample(text, 'rxpulsar_tasks_total', { ...labels, state: 'SUCCESS' })).to.equal(1);
    const job = { ...labels, job: 'resize' };
    expect(sample(text, 'rxpulsar_task_duration_seconds_sum', job)).to.equal(1.5);
    expect(sample(text, 'rxpulsar_task_duration_seconds_count', job)).to.equal(1);
  });

  it('should log a failing metric once and never throw at the queue', async () => {
    const { Gauge } = await import('prom-client');
    const registry = await metricsRegistry();
    // Someone else's metric under the same name, without our labels: inc() throws.
    new Gauge({ name: 'rxpulsar_tasks_total', help: 'not ours', registers: [registry] });
    const warnings: string[] = [];
    const task$ = new Subject<Task>();
    const stop = await taskMetrics('spec-unit', task$, { warn: (m) => warnings.push(m) });
    const seen: string[] = [];
    task$.subscribe((t) => seen.push(t.state));
    task$.next(task('PENDING'));
    task$.next(task('STARTED'));
    stop();
    expect(seen).to.deep.equal(['PENDING', 'STARTED']);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('task metrics of "spec-unit" failed');
  });
});
