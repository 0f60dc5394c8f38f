/**
 * `rxpulsar ps`: the actors of the running arbiter, one line each.
 * @module
 */
import type { PsRow } from '../../control/psRows.js';
import { output, runControl, type ControlCommand } from './controlCommand.js';
import { formatPs } from './formatPs.js';

const ps: ControlCommand = {
  name: 'ps',
  usage: '',
  check: ({ args }) => {
    if (args.length > 0) throw new Error(`unexpected argument ${args[0]}`);
  },
  async run(client, parsed) {
    const rows = (await client.request('ps')) as PsRow[];
    output(parsed, rows, () => formatPs(rows));
    return 0;
  },
};

/**
 * Run `rxpulsar ps`.
 * @param argv - the arguments after `ps`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['--json']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(ps, argv);
}
