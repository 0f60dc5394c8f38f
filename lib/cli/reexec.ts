/**
 * `rxpulsar test --node-option …`: the command runs again under those Node
 * options, as mocha's `bin/mocha.js` does.
 * @module
 */
import { spawn } from 'node:child_process';
import type { Ending } from './listenEnding.js';

/**
 * Run the test command again under `node --<option>...`, and wait for it.
 * Every SIGINT, SIGTERM and SIGHUP this process gets is passed on to it
 * (see `listenEnding`), and this process ends after it, as it ended; a
 * forced exit (past the grace of an ending signal) kills it first.
 *
 * @param nodeOptions - Node options, without their `--`.
 * @param argv - the arguments after `test`, without `--node-option`.
 * @param ending - the run's ending: `forward` and `child` are set while the child runs.
 * @returns the child's exit code (130 when SIGINT ended it, else 1 for a signal).
 * @example
 * ```ts
 * return reexec(['no-deprecation'], ['spec/'], ending);
 * ```
 */
export function reexec(nodeOptions: string[], argv: string[], ending: Ending): Promise<number> {
  const script = process.argv[1]!;
  const child = spawn(
    process.execPath,
    [...nodeOptions.map((o) => `--${o}`), script, 'test', ...argv],
    {
      // A channel to pass signals on (the child counts those it also got itself).
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, RXPULSAR_TEST_REEXEC: '1' },
    },
  );
  const pass = (signal: NodeJS.Signals): void => {
    if (child.connected) child.send({ rxpulsarSignal: signal }, () => undefined);
  };
  ending.forward = pass;
  ending.child = child.pid;
  // Those that came while mocha's options loaded.
  if (ending.interrupted === true) pass('SIGINT');
  if (ending.signal !== undefined) pass(ending.signal);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      ending.child = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
