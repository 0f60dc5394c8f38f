/**
 * Root hooks for the whole suite.
 *
 * - Logging is silent unless `RXPULSAR_LOG_LEVEL` says otherwise (children
 *   inherit the environment, so spawned actors are silent too).
 * - After each spec file (each top-level suite) a leak check compares the
 *   process's active resources and the rxpulsar runtime folders in the temp
 *   directory with what there was before the file ran; anything left behind
 *   (a timer, a socket, a child process, a worker thread, a socket file)
 *   fails that file. Resources get a moment to close, since closing is
 *   asynchronous in Node.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Context, Suite } from 'mocha';

process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

type Counts = Map<string, number>;

function resourceCounts(): Counts {
  const counts: Counts = new Map();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function runtimeDirs(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('rxpulsar-')));
}

function leaks(before: Counts, dirsBefore: Set<string>): string[] {
  const found: string[] = [];
  for (const [type, count] of resourceCounts()) {
    const extra = count - (before.get(type) ?? 0);
    if (extra > 0) found.push(`${extra} × ${type}`);
  }
  for (const dir of runtimeDirs()) if (!dirsBefore.has(dir)) found.push(`runtime folder ${dir}`);
  return found;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

let before: Counts = new Map();
let dirsBefore = new Set<string>();

function snapshot(): void {
  before = resourceCounts();
  dirsBefore = runtimeDirs();
}

function addLeakCheck(suite: Suite): void {
  suite.afterAll('leaves nothing behind', async function (this: Context) {
    this.timeout(10_000);
    const deadline = Date.now() + 3000;
    let found = leaks(before, dirsBefore);
    while (found.length > 0 && Date.now() < deadline) {
      await sleep(25);
      found = leaks(before, dirsBefore);
    }
    snapshot();
    if (found.length > 0) {
      throw new Error(`"${suite.title}" left behind: ${found.join(', ')}`);
    }
  });
}

export const mochaHooks = {
  beforeAll(this: Context) {
    const root = this.test?.parent;
    if (root === undefined) return;
    snapshot();
    for (const suite of root.suites) addLeakCheck(suite);
  },
};
