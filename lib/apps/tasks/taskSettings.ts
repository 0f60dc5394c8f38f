/**
 * The settings a {@link TaskQueue} adds to every app's (flags, environment
 * variables and config-file keys are derived from the names).
 * @module
 */
import { appSettings } from '../../config/settings.js';
import type { Schema } from '../../config/Setting.js';

function backendFormat(value: unknown): void {
  if (value === 'embedded') return;
  if (typeof value === 'string' && /^rediss?:\/\//.test(value)) {
    new URL(value); // throws on a malformed URL
    return;
  }
  throw new Error("must be 'embedded' or a redis://host:port/db URL");
}

/**
 * Settings of a task queue.
 *
 * @example
 * ```ts
 * // rxpulsar tasks.js -w 4 --concurrent-tasks 8 --task-backend redis://127.0.0.1:6379/0
 * ```
 */
export const taskSettings: Schema = {
  // A job that holds the CPU blocks its worker's heartbeat: a task queue's
  // workers may stay silent longer than a server's before they are killed.
  // Hung tasks are caught sooner by their own timeout (and abortGrace), dead
  // workers at once by their exit.
  timeout: {
    ...appSettings['timeout']!,
    doc: 'A worker silent (no heartbeat, no handshake) for this long is killed: the longest a job may hold the CPU without yielding.',
    default: '10 minutes',
  },
  jobs: {
    doc: 'The jobs module (exports `jobs`): a path from the current directory, or a file URL.',
    format: String,
    default: null,
    nullable: true,
    placeholder: 'MODULE',
  },
  concurrentTasks: {
    doc: 'Tasks each worker runs at once (on the embedded backend it holds as many more next in line).',
    format: 'count',
    default: 1,
  },
  taskBackend: {
    doc: "Where the queue lives: 'embedded' (the arbiter, journaled under dataDir) or redis://host:port/db.",
    format: backendFormat,
    default: 'embedded',
    placeholder: 'URL',
  },
  dataDir: {
    doc: "The embedded queue's folder (default: .rxpulsar/<app name> in the current directory).",
    format: String,
    default: null,
    nullable: true,
    placeholder: 'DIR',
  },
  resultTtl: {
    doc: 'How long a finished task (and its result) is kept.',
    format: 'longDuration',
    default: '1 day',
  },
  maxDeaths: {
    doc: 'A task whose workers died this many times fails (WorkerLostError) instead of looping.',
    format: 'count',
    default: 3,
  },
  abortGrace: {
    doc: 'After a timeout or revoke aborts its signal, how long a task may take to stop before its worker is replaced.',
    format: 'duration',
    default: '5 seconds',
  },
  missedTicks: {
    doc: "A periodic tick missed while nothing ran: queued once on start ('once') or skipped ('skip').",
    format: ['once', 'skip'],
    default: 'once',
  },
  taskLease: {
    doc: 'Redis backend: the lease of a running task; tasks of an arbiter that died come back after it.',
    format: 'duration',
    default: '30 seconds',
  },
};
