/**
 * Entry of a spec runner: the clean child process (or thread) a worker
 * actor of a TestSuite runs spec files in. Nothing of rxpulsar runs here
 * (no actor, no loop, no cluster), so specs may fake timers, start their own
 * arbiter or fork a cluster as in a plain mocha process. Each event goes to
 * the actor at once, as a JSON string, so that it survives a crash right
 * after it.
 * @module
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { SpecFileRunner } from '../SpecFileRunner.js';
import type { RunnerMessage } from '../RunnerHandle.js';
import { lines } from '../lines.js';
import { fastMochaType } from '../fastMochaType.js';
import { requireMocha } from '../requireMocha.js';
import { withoutWatch } from '../withoutWatch.js';
import { RUNNER_LIVE, RUNNER_SOCKET_ENV, runnerLog, type FileJob } from '../wire.js';

const port = parentPort;
// Prestarted by the arbiter's process: a worker connects to this socket.
const socketPath = process.env[RUNNER_SOCKET_ENV];
delete process.env[RUNNER_SOCKET_ENV];
let socket: Socket | undefined;
/**
 * Prestarted, before its worker connects (a first job may come from the
 * arbiter's process before any worker is up): what the runner tells is
 * appended to a log beside its socket, which the worker reads (as it is
 * written, and to its end if this runner dies), then the mark that says
 * the rest comes by the socket.
 */
let log: number | undefined;
let logging = socketPath !== undefined;

const post = (message: string): void => {
  if (port !== null) port.postMessage(message);
  else if (socket !== undefined) socket.write(`${message}\n`);
  else if (logging) {
    log ??= openSync(runnerLog(socketPath!), 'a');
    writeSync(log, `${message}\n`);
  } else if (process.connected === true) {
    // Its worker may leave meanwhile (the run ended as this runner booted): no 'error' then.
    process.send?.(message, () => undefined);
  }
};

/**
 * The folder of a prestarted runner's socket (and the other runners'), its
 * parent's: removed by the runner that outlives it (a parent killed by
 * SIGKILL removes nothing). Its parent only disconnects by dying: it kills
 * its runners before it exits. (A runner that cannot hear it, its loop
 * blocked in a test, is killed by the parent's orphan reaper: see
 * `PrestartedRunners`.)
 */
const folder = socketPath === undefined ? undefined : dirname(socketPath);
/** The parent is gone (its IPC channel closed): so is this runner, and the runners' folder. */
function orphaned(): void {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  process.exit(0);
}

if (port === null) {
  // Ctrl-C reaches the process group: the arbiter stops the run itself.
  process.on('SIGINT', () => undefined);
  // The actor is gone: so is its runner.
  process.on('disconnect', orphaned);
  // It left while this runner's modules loaded (its process was stopped early).
  if (process.connected === false) process.exit(0);
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/** An event as JSON; a replacer (a call per value) only for one that holds a BigInt. */
function toJson(event: unknown): string {
  try {
    return JSON.stringify(event);
  } catch {
    return JSON.stringify(event, jsonSafe);
  }
}

// Warm up while the arbiter sends the first job (after this turn: the
// socket listens first). mocha's CommonJS is required (no lexing of it for
// an import), then its serializer, an ES module, imported once mocha's own
// require()s of its ES modules are done: a require() of an ES module that
// an import() is still loading fails in Node 20.
withoutWatch();
fastMochaType();
const warm = new Promise((resolve) => setImmediate(resolve)).then(() => {
  requireMocha('mocha/lib/mocha.cjs');
  requireMocha('mocha/lib/nodejs/esm-utils.cjs');
  return import('mocha/lib/nodejs/serializer.js');
});

/**
 * Events leave in batches (a JSON array, the job's id first): what came so
 * far leaves when user code is about to run (a test or hook begins, a hook
 * ended: the test body follows), when the running test sets its own
 * timeout (the arbiter's hang deadline follows it), on output, a failure
 * and the end of the file, so that a crash loses nothing the arbiter needs
 * to name what crashed.
 */
const FLUSH = new Set([
  'test',
  'hook',
  'hook end',
  'timeout',
  'fail',
  'output',
  'file end',
  'load error',
]);
let pending: string[] = [];
let jobId = 0;
/** The current file told its end: the arbiter counts the next one begun. */
let ended = true;
// Captured now: specs may fake the clocks.
const now = performance.now.bind(performance);
/** When the current file began here. */
let began = 0;
const emit = (event: { name: string; ms?: number }): void => {
  if (event.name === 'file end') {
    ended = true;
    // What the file took here: the arbiter may have heard of its start later (a first file).
    event.ms ??= Math.round(now() - began);
  }
  pending.push(toJson(event));
  if (FLUSH.has(event.name) || pending.length >= 64) {
    post(`[${jobId},${pending.join(',')}]`);
    pending = [];
  }
};

const runner = new SpecFileRunner();
/** Jobs sent ahead: the next one starts as the current file ends, without a word from the arbiter. */
const jobs: FileJob[] = [];
/** The ids of the jobs given so far. */
const seen = new Set<number>();
let busy = false;

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  await warm.catch(() => undefined);
  for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
    jobId = job.id;
    ended = false;
    began = now();
    await runner.run(job, emit).catch(() => undefined);
  }
  busy = false;
}

const onMessage = (message: RunnerMessage): void => {
  switch (message.type) {
    case 'abort': {
      // The run stops: the jobs sent ahead are dropped (the arbiter forgot
      // them), but for one the arbiter counts begun (the file before it told
      // its end): that one ends at once, with nothing run.
      const begun = ended ? jobs.shift() : undefined;
      jobs.length = 0;
      runner.abort();
      if (begun !== undefined) post(`[${begun.id},{"name":"file end","failures":0}]`);
      return;
    }
    case 'drop': {
      // Taken back for an idle worker, unless it began (or is next after a
      // file whose end is told: the arbiter has it begun).
      const i = jobs.findIndex((job) => job.id === message.id);
      if (i < 0 || (i === 0 && ended)) return;
      jobs.splice(i, 1);
      post(`[${message.id},{"name":"dropped"}]`);
      return;
    }
    case 'run':
      // A first job comes twice: from the arbiter's process (to start at
      // once) and from the worker (before the jobs it sends after it).
      if (seen.has(message.job.id)) return;
      seen.add(message.job.id);
      jobs.push(message.job);
      void pump();
  }
};

if (socketPath !== undefined) {
  // One worker only; its leaving ends this runner.
  const server = createServer((connection) => {
    server.close();
    // What comes next goes by the socket: the log says so, last.
    log ??= openSync(runnerLog(socketPath), 'a');
    writeSync(log, `${RUNNER_LIVE}\n`);
    closeSync(log);
    logging = false;
    socket = connection;
    connection.setEncoding('utf8');
    connection.on(
      'data',
      lines((line) => onMessage(JSON.parse(line) as RunnerMessage)),
    );
    connection.on('error', () => undefined);
    connection.on('close', () => process.exit(0));
  });
  server.listen(socketPath);
  // A first job may come from the arbiter's process, before a worker connects.
  process.on('message', onMessage);
} else {
  if (port !== null) port.on('message', onMessage);
  else process.on('message', onMessage);
  post(JSON.stringify({ name: 'ready' }));
}
