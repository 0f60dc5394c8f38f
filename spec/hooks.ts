/**
 * Root hooks for the whole suite.
 *
 * - Logging is silent unless `RXPULSAR_LOG_LEVEL` says otherwise (children
 *   inherit the environment, so spawned actors are silent too).
 * - After each spec file (each top-level suite) a leak check compares the
 *   process's active resources and the rxpulsar runtime folders in the temp
 *   directory with what there was before the file ran; anything left behind
 *   (a timer, a socket, a child process, a worker thread, a socket file)
 *   fails that file, and so does an actor or a registered app that would
 *   carry over to the next file run in the same process (under
 *   `rxpulsar test` a runner serves many files). Resources get a moment to
 *   close, since closing is asynchronous in Node.
 */
import { readdirSync } from 'node:fs';
import { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Context, Suite } from 'mocha';
import { getActor } from '../lib/actor/current.js';
import { registeredApplications } from '../lib/application/registry.js';

process.env['RXPULSAR_LOG_LEVEL'] ??= 'silent';

// The runtime's code cache (lib/compileCache.cts): the suite's children
// write theirs beside the build (dist/.code-cache), not in the temp
// directory (a runner killed at the end of a run could not remove a folder
// of its own there).
process.env['RXPULSAR_COMPILE_CACHE'] ??= fileURLToPath(new URL('../.code-cache', import.meta.url));

type Counts = Map<string, number>;

function resourceCounts(): Counts {
  const counts: Counts = new Map();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function runtimeDirs(): Set<string> {
  // Only this process's arbiters: other runs may share the temp directory.
  const prefix = `rxpulsar-${process.pid}-`;
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith(prefix)));
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

// A fired timer is still counted until its callback's turn is over: look
// again only on the next turn of the loop (setImmediate).
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(() => setImmediate(resolve), ms);
  });

let before: Counts = new Map();
let dirsBefore = new Set<string>();

function snapshot(): void {
  before = resourceCounts();
  dirsBefore = runtimeDirs();
}

/** What a spec file left in the process for the next one: an actor, an app. */
function carriedOver(): string[] {
  const found: string[] = [];
  const actor = getActor();
  if (actor !== undefined) found.push(`the current actor ${actor.name} (${actor.state})`);
  for (const name of registeredApplications()) found.push(`the registered app "${name}"`);
  return found;
}

/**
 * A socket or server among the active handles, in a few words (which one
 * leaked is not known: the ones open before the file are listed too).
 */
function describeSocket(handle: unknown): string | undefined {
  if (handle instanceof Server) {
    return `server ${JSON.stringify(handle.address())} (${handle.listenerCount('connection')} listeners)`;
  }
  if (!(handle instanceof Socket) || handle === process.stdout || handle === process.stderr) {
    return undefined;
  }
  const s = handle as Socket & { _pendingData?: unknown; server?: unknown };
  const ends = `${s.localAddress ?? ''}${s.remoteAddress !== undefined ? ` -> ${s.remoteAddress}` : ''}`;
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return (
    `socket fd ${fd ?? '?'} ${ends} ${s.server !== undefined && s.server !== null ? 'accepted' : 'connected'}` +
    `${s.readable ? ' readable' : ''}${s.writable ? ' writable' : ''}${s.connecting ? ' connecting' : ''}` +
    ` [${s.eventNames().map(String).join(',')}]`
  );
}

/**
 * After a top-level suite (a spec file) and its own hooks, compare with the
 * snapshot taken before it, then snapshot for the next one. Only mocha's
 * public API: the check is a hook added to the suite (it runs after the
 * hooks the file declared), the first snapshot a root hook.
 *
 * mocha arms a hook's timeout timer only once the hook's function has
 * returned its promise; so every count is taken after an `await`, when
 * exactly one mocha timer (the running hook's) is active, never in the
 * synchronous start of a hook (a check that found nothing at once and then
 * snapshotted there would miss that timer, and the next file's check after
 * a wait would see one Timeout too many).
 */
function addLeakCheck(suite: Suite): void {
  suite.afterAll('leaves nothing behind', async function (this: Context) {
    this.timeout(20_000);
    await Promise.resolve(); // mocha's timer for this hook is armed now
    // Closing takes a while on a busy machine (an exit, a socket's close):
    // what is still open after 10 s is left behind. (Nothing left: no wait.)
    const deadline = Date.now() + 10_000;
    let found = [...leaks(before, dirsBefore), ...carriedOver()];
    while (found.length > 0 && Date.now() < deadline) {
      await sleep(25);
      found = [...leaks(before, dirsBefore), ...carriedOver()];
    }
    snapshot();
    if (found.length > 0) {
      const handles = (
        process as unknown as { _getActiveHandles(): unknown[] }
      )._getActiveHandles();
      if (process.env['RXPULSAR_DEBUG_LEAKS'] !== undefined) console.error(handles);
      const sockets = handles.map(describeSocket).filter((d) => d !== undefined);
      throw new Error(
        `"${suite.title}" left behind: ${found.join(', ')}` +
          (sockets.length > 0 ? ` (sockets and servers open now: ${sockets.join('; ')})` : ''),
      );
    }
  });
}

export const mochaHooks = {
  // Root hooks run once per mocha run: once per spec file under
  // `rxpulsar test` (each file runs in a fresh Mocha), once for the whole
  // suite under serial mocha (`npm run test:mocha`).
  async beforeAll(this: Context) {
    await Promise.resolve(); // as in the checks: mocha's timer for this hook is armed
    snapshot();
    const root = this.test?.parent;
    if (root === undefined) return;
    for (const suite of root.suites) addLeakCheck(suite);
  },
};
