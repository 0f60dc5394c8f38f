/**
 * Entry of a spec runner: the clean child process (or thread) a worker
 * actor of a TestSuite runs spec files in. Nothing of rxpulsar runs here
 * (no actor, no loop, no cluster), so specs may fake timers, start their own
 * arbiter or fork a cluster as in a plain mocha process. Each event goes to
 * the actor at once, as a JSON string, so that it survives a crash right
 * after it.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { SpecFileRunner } from '../SpecFileRunner.js';
import type { RunnerMessage } from '../RunnerHandle.js';
import { lines } from '../lines.js';
import { RUNNER_SOCKET_ENV } from '../wire.js';

const port = parentPort;
// Prestarted by the arbiter's process: a worker connects to this socket.
const socketPath = process.env[RUNNER_SOCKET_ENV];
delete process.env[RUNNER_SOCKET_ENV];
let socket: Socket | undefined;

const post = (message: string): void => {
  if (port !== null) port.postMessage(message);
  else if (socket !== undefined) socket.write(`${message}\n`);
  else process.send?.(message);
};

if (port === null) {
  // Ctrl-C reaches the process group: the arbiter stops the run itself.
  process.on('SIGINT', () => undefined);
  // The actor is gone: so is its runner.
  process.on('disconnect', () => process.exit(0));
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

// Warm up while the arbiter sends the first job, one module after the other:
// a require() of an ES module that an import() is still loading fails in
// Node 20 (mocha's .cjs files require its .js ones).
const warm = import('mocha')
  .then(() => import('mocha/lib/nodejs/serializer.js'))
  .then(() => import('mocha/lib/cli/run-helpers.cjs'))
  .then(() => import('mocha/lib/nodejs/esm-utils.cjs'));

/**
 * Events leave in batches (a JSON array): what came so far leaves when user
 * code is about to run (a test or hook begins, a hook ended: the test body
 * follows), when the running test sets its own timeout (the arbiter's hang
 * deadline follows it), on output, a failure and the end of the file, so
 * that a crash loses nothing the arbiter needs to name what crashed.
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
const emit = (event: { name: string }): void => {
  pending.push(JSON.stringify(event, jsonSafe));
  if (FLUSH.has(event.name) || pending.length >= 64) {
    post(`[${pending.join(',')}]`);
    pending = [];
  }
};

const runner = new SpecFileRunner();
let queue: Promise<unknown> = warm.then(
  () => {},
  () => undefined,
);

const onMessage = (message: RunnerMessage): void => {
  if (message.type === 'abort') {
    runner.abort();
    return;
  }
  const { job } = message;

  queue = queue.then(() => runner.run(job, emit));
};

if (socketPath !== undefined) {
  // One worker only; its leaving ends this runner.
  const server = createServer((connection) => {
    server.close();
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
} else {
  if (port !== null) port.on('message', onMessage);
  else process.on('message', onMessage);
  post(JSON.stringify({ name: 'ready' }));
}
