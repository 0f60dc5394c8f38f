/**
 * `npm run bench [-- <scenario>...]`: run the benchmark scenarios one after
 * the other (all of them by default, but those in `ON_REQUEST`), print one table of rxpulsar against
 * the baselines measured in the same run, and write it as JSON to
 * `bench/results/latest.json`. A new scenario is a new file exporting a
 * {@link Scenario} named `scenario`, registered in `SCENARIOS` below.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row, Scenario } from './support/Row.js';

// Before any module of lib/ loads (static imports are hoisted, so scenarios
// are imported dynamically below): actors log nothing unless asked to.
process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

type Loader = () => Promise<{ scenario: Scenario }>;

/** Every scenario, in the order `npm run bench` runs them. */
const SCENARIOS: Record<string, Loader> = {
  'messaging-process': () => import('./messaging-process.js'),
  'messaging-thread': () => import('./messaging-thread.js'),
  'actor-to-actor': () => import('./actor-to-actor.js'),
  spawn: () => import('./spawn.js'),
  memory: () => import('./memory.js'),
  healing: () => import('./healing.js'),
  http: () => import('./http.js'),
  reload: () => import('./reload.js'),
  testsuite: () => import('./testsuite.js'),
  taskqueue: () => import('./taskqueue.js'),
  'taskqueue-rounds': () => import('./taskqueue-rounds.js'),
  'taskqueue-block': () => import('./taskqueue-block.js'),
  metrics: () => import('./metrics.js'),
  'join-tls': () => import('./join-tls.js'),
};

/** Run only when named: long, or a closer look at a scenario above. */
const ON_REQUEST = new Set(['taskqueue-rounds', 'taskqueue-block']);

const RESULTS = fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    console.error(`unknown scenario: ${unknown.join(', ')}`);
    console.error(`scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
    return 2;
  }
  const names =
    wanted.length > 0 ? wanted : Object.keys(SCENARIOS).filter((n) => !ON_REQUEST.has(n));
  const { formatTable } = await import('./support/formatTable.js');
  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  const failures: Record<string, string> = {};
  const began = performance.now();
  for (const name of names) {
    const load = SCENARIOS[name];
    if (load === undefined) continue;
    const start = performance.now();
    process.stderr.write(`${name} ...`);
    try {
      const { scenario } = await load();
      rows.push(...(await scenario.run()));
    } catch (err) {
      failures[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
    }
    timings[name] = (performance.now() - start) / 1000;
    process.stderr.write(` ${timings[name].toFixed(1)} s${name in failures ? ' FAILED' : ''}\n`);
  }
  const total = (performance.now() - began) / 1000;

  console.log(formatTable(rows));
  const short = rows.filter((r) => r.pass === false).length;
  const targets = rows.filter((r) => r.pass !== undefined).length;
  console.log(
    `\n${targets - short}/${targets} targets met, ${names.length} scenario(s) in ${total.toFixed(1)} s` +
      ` (node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)})`,
  );
  for (const [name, stack] of Object.entries(failures)) console.error(`\n${name} failed: ${stack}`);

  mkdirSync(dirname(RESULTS), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    scenarios: names,
    seconds: { total, ...timings },
    failures,
    rows,
  };
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${RESULTS}`);
  return Object.keys(failures).length > 0 ? 1 : 0;
}

process.exitCode = await main();
