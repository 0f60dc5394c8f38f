/**
 * Prometheus metrics of a test run: tests counted by result, by app.
 * @module
 */
import { metricsRegistry } from '../../metrics/metricsRegistry.js';
import type { Observable } from '../../rx.js';
import type { TestEvent } from './ParentRunner.js';

/** mocha's events counted, and the `result` label each one gets. */
const RESULTS: ReadonlyMap<string, string> = new Map([
  ['pass', 'passed'],
  ['fail', 'failed'],
  ['pending', 'pending'],
]);

/**
 * Count the tests of a suite as the reporter gets them, in
 * `rxpulsar_tests_total{app,result}` (`passed`, `failed`, `pending`; a failing
 * hook counts as `failed`, as in mocha's stats), in the registry `/metrics`
 * serves. Whatever goes wrong here is logged, never thrown at the run.
 *
 * @param app - the suite's name (the `app` label).
 * @param events$ - the suite's mocha events.
 * @param logger - where failures are logged.
 * @returns a function that stops counting (the counter stays registered).
 * @example
 * ```ts
 * const stop = await testMetrics('test', testSuite.events$, monitor.logger);
 * ```
 */
export async function testMetrics(
  app: string,
  events$: Observable<TestEvent>,
  logger: { warn(message: string): unknown },
): Promise<() => void> {
  const prom = await import('prom-client');
  const registry = await metricsRegistry();
  const tests =
    (registry.getSingleMetric('rxpulsar_tests_total') as InstanceType<typeof prom.Counter>) ??
    new prom.Counter({
      name: 'rxpulsar_tests_total',
      help: 'Tests run by rxpulsar test, by app and result (passed, failed, pending)',
      labelNames: ['app', 'result'],
      registers: [registry],
    });
  let warned = false;
  const subscription = events$.subscribe(({ name }) => {
    const result = RESULTS.get(name);
    if (result === undefined) return;
    try {
      tests.inc({ app, result });
    } catch (err) {
      if (!warned) logger.warn(`test metrics of "${app}" failed: ${String(err)}`);
      warned = true;
    }
  });
  return () => subscription.unsubscribe();
}
