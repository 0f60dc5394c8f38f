/**
 * `rxpulsar info [aid|name]`: the info tree of the arbiter, of an app (its
 * monitor) or of one actor.
 * @module
 */
import { output, runControl, type ControlCommand } from './controlCommand.js';
import { formatInfo } from './formatInfo.js';

const info: ControlCommand = {
  name: 'info',
  usage: '[aid|name]',
  check: ({ args }) => {
    if (args.length > 1) throw new Error(`unexpected argument ${args[1]}`);
  },
  async run(client, parsed) {
    const value = await client.request('info', { target: parsed.args[0] });
    output(parsed, value, () => formatInfo(value));
    return 0;
  },
};

/**
 * Run `rxpulsar info`.
 * @param argv - the arguments after `info`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['web']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(info, argv);
}
