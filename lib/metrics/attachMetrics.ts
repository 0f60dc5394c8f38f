/**
 * `--metrics HOST:PORT`: the arbiter serves Prometheus text at `/metrics`.
 * @module
 */
import { createServer } from 'node:http';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { ImproperlyConfiguredError } from '../errors.js';
import { MetricsAggregate } from './MetricsAggregate.js';
import { metricsRegistry } from './metricsRegistry.js';
import { poolMetrics } from './poolMetrics.js';
import { recordLatency } from './recordLatency.js';

/**
 * Serve the metrics of `arbiter` over HTTP.
 *
 * @param arbiter - the arbiter.
 * @param bind - `HOST:PORT` (port 0: any free port).
 * @returns the address it listens on and `close()`, which stops serving and unregisters the metrics.
 * @example
 * ```ts
 * const { address, close } = await attachMetrics(arbiter, '127.0.0.1:9464');
 * ```
 */
export async function attachMetrics(
  arbiter: Arbiter,
  bind: string,
): Promise<{ address: string; close(): Promise<void> }> {
  const match = /^(.*):(\d{1,5})$/.exec(bind);
  if (match === null)
    throw new ImproperlyConfiguredError(`--metrics needs HOST:PORT, not "${bind}"`);
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  const registry = await metricsRegistry();
  const agg = new MetricsAggregate(arbiter);
  const metrics = poolMetrics(agg, arbiter);
  for (const m of metrics) registry.registerMetric(m as never);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(match[2]), host, () => resolve());
  });
  const a = server.address();
  const address = typeof a === 'object' && a !== null ? `${host}:${a.port}` : bind;
  // From now on the workers record their latencies (and send them).
  const stopRecording = await recordLatency(arbiter);
  arbiter.logger.info(`metrics at http://${address}/metrics`);
  return {
    address,
    close: async () => {
      agg.close();
      await stopRecording();
      for (const m of metrics) registry.removeSingleMetric(m.name);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
