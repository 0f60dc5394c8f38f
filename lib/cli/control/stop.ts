/**
 * `rxpulsar stop [--fast]`: stop the arbiter (gracefully, or at once with
 * `--fast`) and wait until its process is gone.
 * @module
 */
import { processAlive } from '../../util/processAlive.js';
import { output, runControl, type ControlCommand } from './controlCommand.js';

const stop: ControlCommand = {
  name: 'stop',
  usage: '[--fast] [--timeout SECONDS]',
  options: { fast: { type: 'boolean' }, timeout: { type: 'string' } },
  check: ({ args, flags }) => {
    if (args.length > 0) throw new Error(`unexpected argument ${args[0]}`);
    const t = flags['timeout'];
    if (t !== undefined && !/^\d+$/.test(String(t)))
      throw new Error(`--timeout needs seconds, not "${String(t)}"`);
  },
  async run(client, parsed) {
    const fast = parsed.flags['fast'] === true;
    const { pid } = (await client.request('stop', { fast })) as { pid: number };
    const deadline = Date.now() + Number(parsed.flags['timeout'] ?? 60) * 1000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stopped = !processAlive(pid);
    output(parsed, { pid, stopped }, () =>
      stopped ? `arbiter ${pid} stopped` : `arbiter ${pid} is still stopping`,
    );
    return stopped ? 0 : 1;
  },
};

/**
 * Run `rxpulsar stop`.
 * @param argv - the arguments after `stop`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['--fast']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(stop, argv);
}
