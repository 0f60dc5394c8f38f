/**
 * The convict formats of rxpulsar settings, registered with
 * `convict.addFormat`:
 *
 * - `duration`: milliseconds, or a string such as `"30 seconds"` (see
 *   {@link parseDuration}). convict 6 moved its `duration` format to
 *   `convict-format-with-moment`, which pulls in moment: about 300 kB of
 *   JavaScript parsed at start-up in every worker process and thread, for a
 *   ten-line grammar. This one keeps the same grammar (number = ms, `"N
 *   unit(s)"`) without it. An app that registers the moment format instead
 *   still works: it yields milliseconds too. At most {@link MAX_TIMER_MS}
 *   (about 24.8 days): durations end up in Node timers, which fire a longer
 *   delay after 1 ms, so `--timeout=30d` is a configuration error, not a
 *   deadline missed at once. `0` keeps its meaning (`keepAlive: 0`, no limit).
 * - `longDuration`: a duration with no such limit, for one never given to a
 *   timer (how long a result is kept in a store).
 * - `count`: an integer >= 0 (`backlog`, `maxRequests`…), a safe one
 *   (`Number.isSafeInteger`: `99999999999999999999` is refused, not read as 1e20).
 * - `poolSize`: a count up to {@link MAX_POOL_WORKERS} (`workers`,
 *   `minWorkers`, `maxWorkers`).
 * - `bool`: `true`/`false`; from strings also `1`/`0`, `yes`/`no`, `on`/`off`.
 *   (convict's own boolean coercion turns any string but `"false"` into
 *   `true`, so `RXPULSAR_DEBUG=0` would switch debugging on.)
 * - `bind`: `HOST:PORT` with a port from 0 to 65535, or a socket path.
 *
 * Strings (from the environment, flags or a file) are coerced strictly: a
 * string that does not parse stays a string, and validation then rejects
 * it; convict's `int` would read `"4x"` as 4.
 * @module
 */
import { createRequire } from 'node:module';
import type convict from 'convict';
import { MAX_TIMER_EXPECTED, MAX_TIMER_MS } from '../util/maxTimerMs.js';
import { countExpected } from '../util/checkParams.js';
import { parseDuration } from '../util/parseDuration.js';
import { MAX_POOL_WORKERS, POOL_SIZE_EXPECTED } from '../monitor/MonitorParams.js';

const require = createRequire(import.meta.url);
let convictModule: typeof convict | undefined;

/**
 * convict, loaded on first use with our formats registered: a worker that
 * imports rxpulsar but never loads a configuration does not pay for it
 * (about 15 ms). convict is CommonJS, so `require` loads it synchronously.
 *
 * @returns the convict module.
 * @example
 * ```ts
 * const config = loadConvict()({ t: { doc: 't', format: 'duration', default: '1 s' } });
 * ```
 */
export function loadConvict(): typeof convict {
  if (convictModule === undefined) {
    convictModule = require('convict') as typeof convict;
    registerFormats(convictModule);
  }
  return convictModule;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** An integer >= 0 that a number holds exactly (see countExpected). */
function checkCount(x: unknown): void {
  const expected = countExpected(x);
  check(expected === undefined, expected ?? '');
}

/** A number of milliseconds >= 0 (what `parseDuration` made of a string). */
function checkDuration(x: unknown): void {
  check(
    typeof x === 'number' && Number.isFinite(x) && x >= 0,
    'must be a duration: milliseconds or a string such as "30 seconds"',
  );
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Whether a bind address is valid: `HOST:PORT` (`[::1]:PORT` for IPv6) with
 * a port from 0 to 65535, or a unix socket (or Windows pipe) path.
 *
 * @param value - the candidate.
 * @returns `true` if it is a valid bind address.
 * @example
 * ```ts
 * isBind('127.0.0.1:8060'); // true
 * isBind('/run/app.sock'); // true
 * isBind('localhost:99999'); // false
 * ```
 */
export function isBind(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  if (value.includes('/') || value.includes('\\')) return true;
  const match = /^(\[[\da-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(value);
  return match !== null && Number(match[2]) <= 65535;
}

/** Register the formats with convict (done once, by {@link loadConvict}). */
function registerFormats(lib: typeof convict): void {
  lib.addFormat({
    name: 'duration',
    validate: (x: unknown) => {
      checkDuration(x);
      check((x as number) <= MAX_TIMER_MS, MAX_TIMER_EXPECTED);
    },
    coerce: (x: string) => parseDuration(x) ?? x,
  });
  lib.addFormat({
    name: 'longDuration',
    validate: checkDuration,
    coerce: (x: string) => parseDuration(x) ?? x,
  });
  const countOf = (x: string): unknown => (/^\s*\d+\s*$/.test(x) ? Number(x) : x);
  lib.addFormat({ name: 'count', validate: checkCount, coerce: countOf });
  lib.addFormat({
    name: 'poolSize',
    validate: (x: unknown) => {
      checkCount(x);
      check((x as number) <= MAX_POOL_WORKERS, POOL_SIZE_EXPECTED);
    },
    coerce: countOf,
  });
  lib.addFormat({
    name: 'bool',
    validate: (x: unknown) => check(typeof x === 'boolean', 'must be true or false'),
    coerce: (x: string) => {
      const word = x.trim().toLowerCase();
      return TRUE.has(word) ? true : FALSE.has(word) ? false : x;
    },
  });
  lib.addFormat({
    name: 'bind',
    validate: (x: unknown) =>
      check(isBind(x), 'must be HOST:PORT with a port from 0 to 65535, or a socket path'),
  });
}
