/**
 * The process's Prometheus registry (prom-client, loaded on first use):
 * the arbiter's `/metrics` serves it. Other parts of rxpulsar and users add
 * their own metrics to it.
 * @module
 */
import type { Registry } from 'prom-client';

let registry: Promise<Registry> | undefined;

/**
 * The registry `/metrics` serves (one per process), created on first call.
 *
 * @returns a promise of the prom-client `Registry`.
 * @example
 * ```ts
 * const { Counter } = await import('prom-client');
 * const register = await metricsRegistry();
 * const jobs = new Counter({ name: 'myapp_jobs_total', help: 'Jobs run', registers: [register] });
 * jobs.inc();
 * ```
 */
export function metricsRegistry(): Promise<Registry> {
  registry ??= import('prom-client').then((prom) => new prom.Registry());
  return registry;
}
