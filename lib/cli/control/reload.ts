/**
 * `rxpulsar reload [app]`: replace every worker (of one app, or of all),
 * rolling: each successor is ready before its predecessor stops.
 * @module
 */
import { output, runControl, type ControlCommand } from './controlCommand.js';

interface Reloaded {
  ready: boolean;
  apps: { app: string; replaced: number; workers: number }[];
}

const reload: ControlCommand = {
  name: 'reload',
  usage: '[app]',
  check: ({ args }) => {
    if (args.length > 1) throw new Error(`unexpected argument ${args[1]}`);
  },
  async run(client, parsed) {
    const value = (await client.request('reload', { app: parsed.args[0] })) as Reloaded;
    output(parsed, value, () =>
      value.apps
        .map(
          (a) =>
            `${a.app}: ${a.replaced} workers replaced${value.ready ? '' : ' (still replacing)'}`,
        )
        .join('\n'),
    );
    return value.ready ? 0 : 1;
  },
};

/**
 * Run `rxpulsar reload`.
 * @param argv - the arguments after `reload`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['web']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(reload, argv);
}
