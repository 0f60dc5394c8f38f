/**
 * What travels between the arbiter and the workers of a {@link TestSuite}:
 * a job (one spec file to run, or to load only) and the events a worker
 * streams back while it runs it.
 * @module
 */
import type { SuiteMembers } from './SuiteTree.js';

/** One spec file for one worker. */
export interface FileJob {
  /** Identifies the job in the events the worker streams back. */
  id: number;
  /** Absolute path of the spec file. */
  file: string;
  /** `--file` files, loaded before it in the same mocha instance. */
  setupFiles: string[];
  /** mocha's options (JSON-safe: regular expressions as strings). */
  options: Record<string, unknown>;
  /** Only load the file and report whether it holds a `.only`. */
  dry?: boolean;
}

/**
 * An event of a running file: a mocha runner event (`suite`, `test`,
 * `pass`, `fail`, `hook end`…) with its runnable serialized by mocha's own
 * serializer, or one of ours: `output` (what the file wrote to stdout or
 * stderr, at that point of the run), `timeout` (the running test or hook
 * set its own timeout: `timeout`), `load error` (the file could not be
 * loaded), `file end` (the file is over), `runner exit` (the runner process
 * or thread running the file died: `code`, `signal`, `pid`, `kind`, `killed`).
 */
export interface WireEvent {
  /** The event's name. */
  name: string;
  /** The runnable or suite, as mocha's `SerializableEvent` serializes it. */
  data?: unknown;
  /** The error of a `fail`, serialized. */
  error?: unknown;
  /** The timeout of the runnable that begins (`test`, `hook`) or sets it (`timeout`), in ms; 0: none. */
  timeout?: number;
  /** `output`: the stream written to. */
  stream?: 'stdout' | 'stderr';
  /** `output`: what was written. */
  text?: string;
  /** `suite end`: the suite's tests and hooks, serialized (the parent's suite tree). */
  members?: SuiteMembers;
  /** `file end` of a dry job: the file holds a `.only`. */
  hasOnly?: boolean;
  /** `file end`: the failures mocha counted in the file. */
  failures?: number;
  /** `file end`: what the file took in its runner, in ms (its duration kept between runs). */
  ms?: number;
  /** `runner exit`: how the runner ended. */
  code?: number | null;
  signal?: string | null;
  pid?: number;
  kind?: 'process' | 'thread';
  /** `runner exit`: its worker killed it (it was found hung); `false`: it ended on its own. */
  killed?: boolean;
}

/** Name of the command a worker runs a {@link FileJob} with. */
export const RUN_FILE = 'rxpulsar.test.runFile';
/** Name of the command that stops the file a worker runs (after its current test). */
export const ABORT_FILE = 'rxpulsar.test.abortFile';
/** Name of the command that takes back a job sent ahead to a worker (unless it began). */
export const DROP_FILE = 'rxpulsar.test.dropFile';
/** Name of the command that kills a worker's spec runner (its file hung). */
export const KILL_RUNNER = 'rxpulsar.test.killRunner';
/** Environment variable naming the socket a prestarted runner listens on. */
export const RUNNER_SOCKET_ENV = 'RXPULSAR_TEST_RUNNER_SOCKET';
/**
 * The line a prestarted runner writes to its worker once what it told
 * before the worker connected (its first job's events) is all sent.
 */
export const RUNNER_LIVE = '{"name":"live"}';

/**
 * @param socketPath - a prestarted runner's socket.
 * @returns the log beside it, where the runner writes what it tells before
 *   its worker connects (read by the worker if the runner dies first).
 * @example
 * ```ts
 * readFileSync(runnerLog(path), 'utf8');
 * ```
 */
export function runnerLog(socketPath: string): string {
  return `${socketPath}.log`;
}

/** Name of the monitor's command that receives a batch of {@link WireEvent}s. */
export const FILE_EVENTS = 'rxpulsar.test.events';

/**
 * Property of a serialized error holding its class's name when the error
 * inherits it (a `TypeError`): the arbiter gives the rebuilt error a
 * prototype of that name, so that `err.name` reads as in the worker.
 */
export const ERROR_CLASS = '__rxpulsarErrorClass';
