/**
 * Scenario `testsuite`: wall time of serial mocha, `mocha --parallel -j N`
 * and `rxpulsar test -w N` on the same suites, in one run (and their CPU
 * time, children included, in the notes: steadier than wall time on a
 * shared machine):
 * - the start-up of a small suite (N empty files), 9 interleaved rounds,
 *   medians of wall and CPU time;
 * - a generated CPU-bound suite (40 files × 250 ms of busy work by default;
 *   `RXPULSAR_BENCH_TEST_FILES`, `RXPULSAR_BENCH_TEST_MS`);
 * - a skewed suite (one long file given last among short ones), run twice:
 *   longest first once the durations are known;
 * - the cost of one more file on a warm pool: 20 then 120 empty files on one
 *   worker, against serial mocha on the same files (the difference / 100);
 * - a real suite nobody here wrote: ua-parser-js 0.7.28 ships its mocha
 *   suite (1,708 tests) in its npm package; the bench installs it (and the
 *   two modules the suite needs) in a temporary folder with npm, and checks
 *   that rxpulsar counts the same tests, passes and failures as mocha
 *   (skipped when npm cannot install it; `RXPULSAR_BENCH_EXTERNAL=0` skips it);
 * - the project's own suite (`dist/spec`), only with
 *   `RXPULSAR_BENCH_OWN_SUITE=1` (a minute or more per run).
 * N is the number of cores less one, at least 2 (`RXPULSAR_BENCH_WORKERS`).
 * Every command runs as a child process, timed from spawn to exit.
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, type Row, type Scenario } from './support/Row.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MOCHA = join(ROOT, 'node_modules/mocha/bin/mocha.js');
const RXPULSAR = join(ROOT, 'bin/rxpulsar.js');
const FILES = Number(process.env['RXPULSAR_BENCH_TEST_FILES'] ?? 40);
const WORK_MS = Number(process.env['RXPULSAR_BENCH_TEST_MS'] ?? 250);
const N = Number(process.env['RXPULSAR_BENCH_WORKERS'] ?? Math.max(2, availableParallelism() - 1));

/** CPU time of this process's children that ended (and were waited for), in ms (0 without /proc). */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** CPU time of the last command `wall()` ran, its children included, in ms. */
let lastCpu = 0;

/** Run `node args` in `cwd`; resolves with the wall time in ms (throws on a crash). */
function wall(args: string[], cwd: string, okCodes = [0]): Promise<number> {
  const cpu = childrenCpuMs();
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      lastCpu = childrenCpuMs() - cpu;
      if (okCodes.includes(code ?? -1)) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** @returns `run()`'s wall time, and its CPU time (children included), in ms. */
async function timed(run: () => Promise<number>): Promise<{ wall: number; cpu: number }> {
  const ms = await run();
  return { wall: ms, cpu: lastCpu };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Write `count` spec files, each one test busy for `ms`, under `dir`. */
function generate(dir: string, count: number, ms: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const body =
      ms > 0
        ? `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`
        : '';
    writeFileSync(
      join(dir, `file${String(i).padStart(3, '0')}.spec.mjs`),
      `describe('file ${i}', () => { it('works', function () { this.timeout(0); ${body} }); });\n`,
    );
  }
}

const serial = (dir: string, cwd: string): Promise<number> =>
  wall([MOCHA, '--no-config', '--no-package', '--reporter', 'dot', dir], cwd);
const parallel = (dir: string, cwd: string, n: number): Promise<number> =>
  wall(
    [MOCHA, '--no-config', '--no-package', '--reporter', 'dot', '--parallel', '-j', String(n), dir],
    cwd,
  );
const ours = (dir: string, cwd: string, n: number, extra: string[] = []): Promise<number> =>
  wall(
    [
      RXPULSAR,
      'test',
      '--no-config',
      '--no-package',
      '--reporter',
      'dot',
      '-w',
      String(n),
      ...extra,
      dir,
    ],
    cwd,
  );

/** Rounds of the start-up rows: one run is ~0.25 s, its noise on 2 cores tens of ms. */
const STARTUP_ROUNDS = 9;

/**
 * Start-up: N empty files, rxpulsar and mocha --parallel in turn, the
 * order reversed every other round (whoever runs second finds the files
 * and mocha's modules in the page cache); medians.
 */
async function startup(work: string): Promise<Row[]> {
  const dir = join(work, 'startup');
  generate(dir, N, 0);
  const rx: { wall: number; cpu: number }[] = [];
  const base: { wall: number; cpu: number }[] = [];
  const runOurs = async (): Promise<void> => {
    rx.push(await timed(() => ours(dir, work, N, ['--no-durations'])));
  };
  const runMocha = async (): Promise<void> => {
    base.push(await timed(() => parallel(dir, work, N)));
  };
  for (let round = 0; round < STARTUP_ROUNDS; round++) {
    for (const run of round % 2 === 0 ? [runOurs, runMocha] : [runMocha, runOurs]) await run();
  }
  const ratios = rx.map((r, i) => r.wall / base[i]!.wall).sort((a, b) => a - b);
  const label = `${N} empty files (start-up), medians of ${STARTUP_ROUNDS} rounds`;
  return [
    compare(
      `${label}: rxpulsar test -w ${N} vs mocha --parallel -j ${N}`,
      'ms',
      median(rx.map((r) => r.wall)),
      median(base.map((r) => r.wall)),
      {
        better: 'lower',
        target: 1.0,
        note: `per round ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)}×, the order alternated`,
      },
    ),
    compare(
      `${label}, CPU (children included): rxpulsar test vs mocha --parallel`,
      'ms',
      median(rx.map((r) => r.cpu)),
      median(base.map((r) => r.cpu)),
      {
        better: 'lower',
        note: 'rxpulsar forks its runners first, and boots no application unless a runner is lost',
      },
    ),
  ];
}

async function cpuBound(work: string): Promise<Row[]> {
  const dir = join(work, 'cpu');
  generate(dir, FILES, WORK_MS);
  const label = `${FILES} files × ${WORK_MS} ms CPU`;
  const cache = ['--durations', join(work, 'durations.json')];
  const mochaSerial = await serial(dir, work);
  const { wall: mochaParallel, cpu: mochaCpu } = await timed(() => parallel(dir, work, N));
  const { wall: rx, cpu: rxCpu } = await timed(() => ours(dir, work, N, cache));
  const ideal = (FILES * WORK_MS) / N;
  return [
    compare(
      `${label}: rxpulsar test -w ${N} vs mocha --parallel -j ${N}`,
      'ms',
      rx,
      mochaParallel,
      {
        better: 'lower',
        target: 1.0,
        note: `CPU, children included: rxpulsar ${rxCpu} ms, mocha ${mochaCpu} ms`,
      },
    ),
    compare(`${label}: rxpulsar test -w ${N} vs serial mocha`, 'ms', rx, mochaSerial, {
      better: 'lower',
      target: Number((1 / (0.7 * N)).toFixed(2)),
      note: `target: a speed-up of 0.7·N; ideal wall ${ideal.toFixed(0)} ms`,
    }),
    compare(
      `${label}: mocha --parallel -j ${N} vs serial mocha (for reference)`,
      'ms',
      mochaParallel,
      mochaSerial,
      {
        better: 'lower',
      },
    ),
  ];
}

/**
 * Longest first: one long file among short ones, given last. The first run
 * has no durations (files in the given order: the long one starts last);
 * the second has them (the long one starts first). Target: within 10 % of
 * the ideal wall, max(longest file, total / N), plus the start-up measured
 * by an empty suite of N files.
 */
async function skewed(work: string): Promise<Row[]> {
  const dir = join(work, 'skewed');
  const longMs = WORK_MS * 8;
  const shortCount = 16;
  mkdirSync(dir, { recursive: true });
  const busy = (ms: number): string =>
    `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  for (let i = 0; i < shortCount; i++) {
    writeFileSync(
      join(dir, `a${String(i).padStart(2, '0')}.spec.mjs`),
      `describe('short ${i}', () => { it('works', function () { this.timeout(0); ${busy(WORK_MS)} }); });\n`,
    );
  }
  writeFileSync(
    join(dir, 'z-long.spec.mjs'),
    `describe('long', () => { it('works', function () { this.timeout(0); ${busy(longMs)} }); });\n`,
  );
  // The start-up of a pool of N (a pool has no more workers than files).
  const empty = join(work, 'skewed-empty');
  generate(empty, N, 0);
  const cache = ['--durations', join(work, 'skewed.json')];
  const startup = await ours(empty, work, N, ['--no-durations']);
  const first = await ours(dir, work, N, cache);
  const second = await ours(dir, work, N, cache);
  const ideal = Math.max(longMs, (shortCount * WORK_MS + longMs) / N) + startup;
  return [
    compare(
      `skewed suite (1 × ${longMs} ms + ${shortCount} × ${WORK_MS} ms), durations known vs ideal`,
      'ms',
      second,
      ideal,
      {
        better: 'lower',
        target: 1.1,
        note: `ideal: max(longest, total / N) + start-up (${startup.toFixed(0)} ms); first run, no durations: ${first.toFixed(0)} ms`,
      },
    ),
  ];
}

async function perFile(work: string): Promise<Row[]> {
  const few = join(work, 'few');
  const many = join(work, 'many');
  generate(few, 20, 0);
  generate(many, 120, 0);
  const rx =
    ((await ours(many, work, 1, ['--no-durations'])) -
      (await ours(few, work, 1, ['--no-durations']))) /
    100;
  const base = ((await serial(many, work)) - (await serial(few, work))) / 100;
  return [
    compare('one more empty file on a warm worker (-w 1) vs serial mocha', 'ms', rx, base, {
      better: 'lower',
      note: `target: ≤ 20 ms per file (measured ${rx.toFixed(1)} ms)`,
    }),
  ];
}

/** The stats of a json report (what the tests printed comes first). */
function jsonStats(args: string[], cwd: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--reporter', 'json'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', () => {
      try {
        const report = JSON.parse(out.slice(out.search(/^\{/m))) as {
          stats: Record<string, number>;
        };
        resolve(report.stats);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

const EXTERNAL = 'ua-parser-js@0.7.28';

async function externalSuite(work: string): Promise<Row[]> {
  if (process.env['RXPULSAR_BENCH_EXTERNAL'] === '0') return [];
  const dir = join(work, 'external');
  mkdirSync(dir, { recursive: true });
  try {
    const npm = { cwd: dir, stdio: 'ignore' as const, timeout: 300_000 };
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    execFileSync('npm', ['pack', EXTERNAL], npm);
    execFileSync('tar', ['xzf', 'ua-parser-js-0.7.28.tgz'], npm);
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', 'safe-regex@2.1.1', 'requirejs@2.3.6'],
      npm,
    );
  } catch (err) {
    process.stderr.write(`\n  ${EXTERNAL} could not be installed, skipped: ${String(err)}\n`);
    return [];
  }
  const cwd = join(dir, 'package');
  const spec = 'test/test.js';
  const base = ['--no-config', '--no-package', spec];
  const theirs = await jsonStats([MOCHA, ...base], cwd);
  const mine = await jsonStats([RXPULSAR, 'test', ...base, '-w', String(N), '--no-durations'], cwd);
  const same = ['suites', 'tests', 'passes', 'pending', 'failures'].every(
    (k) => theirs[k] === mine[k],
  );
  const counts = `rxpulsar ${mine['tests']} tests / ${mine['passes']} passes / ${mine['failures']} failures, mocha ${theirs['tests']} / ${theirs['passes']} / ${theirs['failures']}`;
  const mochaSerial = await serial(spec, cwd);
  const { wall: mochaParallel, cpu: mochaCpu } = await timed(() => parallel(spec, cwd, N));
  const { wall: rx, cpu: rxCpu } = await timed(() => ours(spec, cwd, N, ['--no-durations']));
  return [
    compare(
      `${EXTERNAL} (1 file): tests counted by rxpulsar vs serial mocha`,
      'tests',
      mine['tests'] ?? 0,
      theirs['tests'] ?? 1,
      {
        better: 'higher',
        target: 1,
        note: `${same ? 'identical' : 'DIFFERENT'} counts: ${counts}`,
      },
    ),
    compare(
      `${EXTERNAL}: rxpulsar test -w ${N} vs mocha --parallel -j ${N}`,
      'ms',
      rx,
      mochaParallel,
      {
        better: 'lower',
        target: 1.0,
        note: `one spec file: the wall is start-up and streaming, no parallelism to gain; CPU, children included: rxpulsar ${rxCpu} ms, mocha ${mochaCpu} ms`,
      },
    ),
    compare(`${EXTERNAL}: rxpulsar test -w ${N} vs serial mocha`, 'ms', rx, mochaSerial, {
      better: 'lower',
    }),
  ];
}

async function ownSuite(work: string): Promise<Row[]> {
  if (process.env['RXPULSAR_BENCH_OWN_SUITE'] !== '1') return [];
  // The project's .mocharc.json applies to all three (timeouts, root hooks, spec glob).
  const codes = [0, 1, 2, 3, 4, 5];
  const mochaSerial = await wall([MOCHA, '--reporter', 'dot'], ROOT, codes);
  const mochaParallel = await wall(
    [MOCHA, '--reporter', 'dot', '--parallel', '-j', String(N)],
    ROOT,
    codes,
  );
  const rx = await wall(
    [RXPULSAR, 'test', '--reporter', 'dot', '-w', String(N), '--durations', join(work, 'own.json')],
    ROOT,
    codes,
  );
  return [
    compare(
      `own suite: rxpulsar test -w ${N} vs mocha --parallel -j ${N}`,
      'ms',
      rx,
      mochaParallel,
      {
        better: 'lower',
        target: 1.0,
      },
    ),
    compare(`own suite: rxpulsar test -w ${N} vs serial mocha`, 'ms', rx, mochaSerial, {
      better: 'lower',
    }),
  ];
}

export const scenario: Scenario = {
  name: 'testsuite',
  async run(): Promise<Row[]> {
    const work = mkdtempSync(join(tmpdir(), 'rxpulsar-bench-testsuite-'));
    try {
      return [
        ...(await startup(work)),
        ...(await cpuBound(work)),
        ...(await skewed(work)),
        ...(await perFile(work)),
        ...(await externalSuite(work)),
        ...(await ownSuite(work)),
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
