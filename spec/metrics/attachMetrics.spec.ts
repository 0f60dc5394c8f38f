import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Arbiter, type Monitor } from '../../lib/index.js';
import { metricsRegistry } from '../../lib/index.js';
import { sample } from '../support/prometheus.js';
import { waitFor } from '../support/waiting.js';
import { privateRuntime } from '../support/privateRuntime.js';

const workerModule = fileURLToPath(new URL('../fixtures/actors/worker.js', import.meta.url));

describe('attachMetrics()', () => {
  let a: Arbiter;
  let pool: Monitor;
  let restoreRuntime: () => void;
  const scrape = async (path = '/metrics'): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://${a.metricsAddress!}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const pooled = { app: 'pool', monitor: 'pool' };

  before(async function () {
    this.timeout(30_000);
    restoreRuntime = privateRuntime('rxp-metrics-spec-');
    a = new Arbiter({ signals: false, metrics: '127.0.0.1:0', exitTimeout: 2000 });
    pool = a.addMonitor('pool', {
      workers: 2,
      concurrency: 'thread',
      // Heartbeats (every timeout / 3) bring the counts; a worker whose
      // heartbeat is late past timeout on a busy machine would be killed,
      // and counted as one more restart than the spec's.
      timeout: 3000,
      period: 100,
      module: workerModule,
    });
    await a.start();
    await pool.start();
  });

  after(async function () {
    this.timeout(30_000);
    await a.stop();
    restoreRuntime();
  });

  it('should serve Prometheus text at /metrics only', async () => {
    const { status, text } = await scrape();
    expect(status).to.equal(200);
    expect(text).to.contain('# TYPE rxpulsar_requests_total counter');
    expect(sample(text, 'rxpulsar_workers', pooled)).to.equal(2);
    expect(sample(text, 'rxpulsar_workers_target', pooled)).to.equal(2);
    expect(sample(text, 'rxpulsar_breaker_open', pooled)).to.equal(0);
    expect((await scrape('/')).status).to.equal(404);
  });

  it('should count requests, messages and latencies from the heartbeats, per pool and per actor', async () => {
    for (const proxy of pool.managedActors) {
      for (let i = 0; i < 10; i++) await a.send(proxy, 'echo', i);
    }
    let text = '';
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      text = (await scrape()).text;
      if ((sample(text, 'rxpulsar_requests_total', pooled) ?? 0) >= 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sample(text, 'rxpulsar_requests_total', pooled)).to.be.at.least(20);
    expect(sample(text, 'rxpulsar_messages_received_total', pooled)).to.be.at.least(20);
    const count = sample(text, 'rxpulsar_request_duration_seconds_count', pooled)!;
    expect(count).to.be.at.least(20);
    expect(
      sample(text, 'rxpulsar_request_duration_seconds_bucket', { ...pooled, le: '+Inf' }),
    ).to.equal(count);
    for (const proxy of pool.managedActors) {
      const actor = { ...pooled, actor: proxy.aid };
      expect(sample(text, 'rxpulsar_actor_requests_total', actor)).to.be.at.least(10);
      expect(sample(text, 'rxpulsar_actor_memory_bytes', actor)).to.be.above(0);
      expect(sample(text, 'rxpulsar_actor_in_flight', actor)).to.equal(0);
      expect(sample(text, 'rxpulsar_actor_event_loop_lag_seconds', actor)).to.be.at.least(0);
    }
  });

  it('should keep pool counters monotonic when a worker is killed, and count the restart', async function () {
    this.timeout(30_000);
    const before = sample((await scrape()).text, 'rxpulsar_requests_total', pooled)!;
    const victim = pool.managedActors[0]!;
    victim.worker!.kill('SIGKILL');
    await waitFor(
      () => pool.managedActors.length === 2 && !pool.managedActors.includes(victim),
      20_000,
      'the killed worker is replaced',
    );
    const { text } = await scrape();
    expect(sample(text, 'rxpulsar_requests_total', pooled)).to.be.at.least(before);
    expect(sample(text, 'rxpulsar_restarts_total', pooled)).to.equal(1);
    expect(sample(text, 'rxpulsar_actor_requests_total', { actor: victim.aid })).to.equal(
      undefined,
    );
  });

  it('should show actors that stopped reporting', async function () {
    this.timeout(30_000);
    const proxy = await a.spawn({ name: 'quiet', concurrency: 'thread', timeout: 30_000 });
    try {
      proxy.lastNotified = Date.now() - 60_000;
      const { text } = await scrape();
      expect(sample(text, 'rxpulsar_actors_silent', { app: '', monitor: '' })).to.equal(1);
      expect(
        sample(text, 'rxpulsar_actor_last_report_seconds', { actor: proxy.aid }),
      ).to.be.at.least(60);
    } finally {
      await proxy.stop();
    }
  });

  it('should serve metrics others add to the registry', async () => {
    const { Counter } = await import('prom-client');
    const register = await metricsRegistry();
    const tasks = new Counter({ name: 'spec_tasks_total', help: 'Tasks', registers: [register] });
    try {
      tasks.inc(3);
      expect(sample((await scrape()).text, 'spec_tasks_total')).to.equal(3);
    } finally {
      register.removeSingleMetric('spec_tasks_total');
    }
  });
});
