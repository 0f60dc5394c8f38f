/**
 * Running `rxpulsar test` and serial mocha on the same fixture suites, and
 * comparing their reports apart from timings and the order of files.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));
const mochaBin = fileURLToPath(
  new URL('../../../node_modules/mocha/bin/mocha.js', import.meta.url),
);

/**
 * mocha's focus modifier. The suite that tests `.only` is written at run
 * time from this, never kept as a file under spec/: a focused test there
 * could hide the rest of the project's own suite.
 */
export const FOCUS = 'only';

/**
 * Write the focused fixture suite (`it.only` in one file, `describe.only`
 * in another, none in a third) into a new temporary folder.
 *
 * @returns the folder; remove it when done.
 */
export function writeFocusedSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-focused-'));
  const files: Record<string, string> = {
    'one.test.js': `describe('one', () => {
  it('a', () => undefined);
  it.${FOCUS}('b', () => undefined);
  it('c', () => undefined);
});
`,
    'two.test.js': `describe('two', () => {
  it('d', () => undefined);
  describe.${FOCUS}('focused', () => {
    it('e', () => undefined);
    it('e2 grep-me', () => undefined);
  });
});
`,
    // No focus here, so nothing runs here when another file has one.
    'three.test.js': `describe('three', () => {
  it('f', () => undefined);
  it('g grep-me', () => undefined);
});
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A fixture suite folder of spec/fixtures/testsuite (compiled). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/testsuite/${name}`, import.meta.url));
}

/** What a command printed and its exit code. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the commands: the spec's own, without colours (mocha's
 * symbols are coloured when `CI` is set, as CI services set it, and the
 * specs read the reports as text). `NO_COLOR` turns them off.
 */
const PLAIN = { ...process.env, NO_COLOR: '1' };

function exec(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const options = { timeout: 60_000, env: { ...PLAIN, ...env }, maxBuffer: 16 << 20 };
    execFile(process.execPath, args, options, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `rxpulsar test` with the given arguments (no `.mocharc`, no package.json config). */
export function rxpulsarTest(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return exec([bin, 'test', '--no-config', '--no-package', '--no-durations', ...args], env);
}

/** Serial mocha with the given arguments. */
export function serialMocha(args: string[]): Promise<Outcome> {
  return exec([mochaBin, '--no-config', '--no-package', ...args]);
}

/** Start `rxpulsar test` in the background (for signals; `detached`: in a process group of its own, as a terminal's job). */
export function startTest(
  args: string[],
  env: Record<string, string> = {},
  options: { detached?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [bin, 'test', '--no-config', '--no-package', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...PLAIN, ...env },
    detached: options.detached === true,
  });
}

/** Sort the chunks of `text` that begin where `start` matches (keeping what precedes the first). */
function sortChunks(text: string, start: RegExp, tailAt?: RegExp): string {
  // What follows the last chunk (a summary) stays last, whichever file ends the run.
  const tailIndex = tailAt === undefined ? -1 : text.search(tailAt);
  const tail = tailIndex < 0 ? '' : text.slice(tailIndex);
  const body = tailIndex < 0 ? text : text.slice(0, tailIndex);
  const positions = [...body.matchAll(start)].map((m) => m.index);
  if (positions.length === 0) return text;
  const head = body.slice(0, positions[0]);
  // Blank lines at the end of a chunk depend on whether its file came last.
  const chunks = positions.map((p, i) =>
    body.slice(p, positions[i + 1] ?? body.length).replace(/\n+$/, '\n'),
  );
  return head + chunks.sort().join('') + tail;
}

/**
 * A report without what may differ between two runs of the same suite:
 * timings and the order of files (chunks of each file's output are sorted).
 *
 * @param reporter - spec, json, xunit or tap.
 * @param text - the report.
 * @returns the normalized report.
 */
export function normalizeReport(reporter: string, text: string): string {
  switch (reporter) {
    case 'json': {
      // What the tests printed comes first, then the report.
      const at = text.search(/^\{/m);
      const report = JSON.parse(text.slice(at)) as Record<string, unknown>;
      const stats = report['stats'] as Record<string, unknown>;
      for (const key of ['start', 'end', 'duration']) delete stats[key];
      for (const list of ['tests', 'pending', 'failures', 'passes']) {
        const tests = report[list] as Record<string, unknown>[];
        for (const test of tests) delete test['duration'];
        tests.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      }
      return text.slice(0, at) + JSON.stringify(report, null, 2);
    }
    case 'xunit': {
      const timeless = text.replace(/ (time|timestamp)="[^"]*"/g, '');
      return sortChunks(timeless, /^<testcase /gm, /^<\/testsuite>/m);
    }
    case 'tap':
      return sortChunks(
        text.replace(/^(ok|not ok) \d+/gm, '$1 N'),
        /^(ok|not ok) /gm,
        /^# tests /m,
      );
    default: {
      // spec: suites of the body and failures of the epilogue, each sorted.
      const plain = text.replace(/ ?\(\d+m?s\)/g, '').replace(/^(\s*)\d+\) /gm, '$1N) ');
      const at = plain.search(/^ {2}\d+ passing/m);
      const body = sortChunks(plain.slice(0, at), /^ {2}\S/gm);
      const end = plain.slice(at);
      const failuresAt = end.search(/^ {2}N\) /m);
      if (failuresAt < 0) return body + end;
      return body + end.slice(0, failuresAt) + sortChunks(end.slice(failuresAt), /^ {2}N\) /gm);
    }
  }
}

interface AwesomeSuite {
  uuid: string;
  title: string;
  file: string;
  fullFile: string;
  suites: AwesomeSuite[];
  tests: { uuid: string; fullTitle: string }[];
  beforeHooks: { uuid: string; fullTitle: string }[];
  afterHooks: { uuid: string; fullTitle: string }[];
}

/**
 * A mochawesome JSON report without what differs between two runs of the
 * same suite: timings, random uuids (replaced by the titles they stand
 * for), the order of files and the versions of the tools.
 *
 * @param json - the text of `mochawesome.json`.
 * @returns the normalized report.
 */
export function normalizeMochawesome(json: string): string {
  const report = JSON.parse(json) as { results: AwesomeSuite[]; meta?: unknown };
  const names = new Map<string, string>();
  const collect = (suite: AwesomeSuite): void => {
    names.set(suite.uuid, `suite ${suite.title}`);
    for (const t of [...suite.tests, ...suite.beforeHooks, ...suite.afterHooks]) {
      names.set(t.uuid, `test ${t.fullTitle}`);
    }
    suite.suites.forEach(collect);
  };
  report.results.forEach(collect);
  const timing = new Set(['duration', 'start', 'end', 'speed']);
  const lists = new Set(['passes', 'failures', 'pending', 'skipped']);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (timing.has(key)) out[key] = 'T';
      else if (key === 'uuid' || key === 'parentUUID') out[key] = names.get(String(v)) ?? v;
      else if (lists.has(key) && Array.isArray(v))
        out[key] = v.map((u: unknown) => names.get(String(u)) ?? u);
      else out[key] = walk(v);
    }
    return out;
  };
  delete report.meta;
  const [root] = report.results;
  if (root !== undefined) {
    // The root suite takes its file from its only suite: with several, none.
    root.file = root.fullFile = '';
    root.suites.sort((a, b) => (a.title < b.title ? -1 : 1));
  }
  return JSON.stringify(walk(report), null, 1);
}
