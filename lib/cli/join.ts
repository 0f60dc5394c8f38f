/**
 * `rxpulsar join tls://HOST:PORT --app NAME -w N`: run N workers of an
 * arbiter's app on this machine (see {@link JoinAgent}). Exits 0 when
 * stopped by SIGTERM/SIGINT, 1 when the arbiter refused it or was lost for
 * longer than `--fence-timeout` (until then it tries to join again), 2 on a
 * bad command line.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { argsError } from './argsError.js';
import { JoinAgent } from '../remote/JoinAgent.js';
import { parseTlsUrl, readSecret } from '../transport/tlsHubProblem.js';
import { parseDuration } from '../util/parseDuration.js';
import { MAX_TIMER_EXPECTED, MAX_TIMER_MS } from '../util/maxTimerMs.js';
import { createLogger } from '../log/createLogger.js';

const USAGE =
  'Usage: rxpulsar join tls://HOST:PORT --app NAME [-w N] --hub-secret-file FILE ' +
  '[--hub-ca FILE] [--hub-cert FILE --hub-key FILE] [--fence-timeout DURATION]';

/**
 * Run the `join` subcommand.
 *
 * @param argv - the arguments after `join`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['tls://10.0.0.1:7070', '--app', 'web', '-w', '2', '--hub-secret-file', 's']);
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  let agent: JoinAgent;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        app: { type: 'string' },
        workers: { type: 'string', short: 'w', default: '1' },
        'hub-secret-file': { type: 'string' },
        'hub-ca': { type: 'string' },
        'hub-cert': { type: 'string' },
        'hub-key': { type: 'string' },
        'fence-timeout': { type: 'string', default: '5 s' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const [url, ...extra] = positionals;
    if (url === undefined || extra.length > 0) throw new Error('give one hub address');
    parseTlsUrl(url);
    const workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) throw new Error('-w must be a count above 0');
    if (values.app === undefined) throw new Error('--app is required');
    const secretFile = values['hub-secret-file'];
    if (secretFile === undefined) throw new Error('--hub-secret-file is required');
    readSecret(secretFile);
    const fence = parseDuration(values['fence-timeout']);
    if (fence === undefined) throw new Error('--fence-timeout must be a duration');
    if (fence > MAX_TIMER_MS) throw new Error(`--fence-timeout ${MAX_TIMER_EXPECTED}`);
    const file = (f: string | undefined): string | undefined => (f === undefined ? f : resolve(f));
    agent = new JoinAgent({
      url,
      app: values.app,
      workers,
      tls: {
        secretFile: resolve(secretFile),
        ca: file(values['hub-ca']),
        cert: file(values['hub-cert']),
        key: file(values['hub-key']),
      },
      fenceTimeout: fence,
      logger: createLogger('join'),
    });
  } catch (err) {
    process.stderr.write(`rxpulsar join: ${argsError(err)}\n${USAGE}\n`);
    return 2;
  }
  try {
    await agent.start();
  } catch (err) {
    process.stderr.write(`rxpulsar join: ${(err as Error).message}\n`);
    return 1;
  }
  const stop = (): void => void agent.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const code = await agent.done;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return code;
}
