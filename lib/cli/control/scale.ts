/**
 * `rxpulsar scale <app> <N|+N|-N>`: resize an app's pool; answers once the
 * pool has its new size.
 * @module
 */
import { output, runControl, type ControlCommand } from './controlCommand.js';

interface Scaled {
  app: string;
  from: number;
  to: number;
  workers: number;
  ready: boolean;
}

const scale: ControlCommand = {
  name: 'scale',
  usage: '<app> <N|+N|-N>',
  check: ({ args }) => {
    if (args.length !== 2) throw new Error('scale needs an app and a number of workers');
    if (!/^[+-]?\d+$/.test(args[1]!)) throw new Error(`"${args[1]}" is not N, +N or -N`);
  },
  async run(client, parsed) {
    const [app, n] = parsed.args as [string, string];
    const value = (await client.request('scale', { app, n })) as Scaled;
    output(parsed, value, () => {
      const wait = value.ready ? '' : ` (${value.workers} running so far)`;
      return `${value.app}: ${value.from} → ${value.to} workers${wait}`;
    });
    return 0;
  },
};

/**
 * Run `rxpulsar scale`.
 * @param argv - the arguments after `scale`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['web', '+2']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(scale, argv);
}
