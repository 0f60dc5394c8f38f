/**
 * `rxpulsar shell`: a REPL attached to the running arbiter. Lines are read
 * and shown here; they are evaluated in the arbiter (or, after `.enter`, in
 * one of its actors) through the control socket. `-e EXPR` evaluates once.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Recoverable, start, type REPLServer } from 'node:repl';
import type { ControlClient } from '../../control/ControlClient.js';
import type { PsRow } from '../../control/psRows.js';
import type { ShellResult } from '../../control/shellEval.js';
import { runControl, type ControlArgs, type ControlCommand } from './controlCommand.js';
import { formatInfo } from './formatInfo.js';
import { formatPs } from './formatPs.js';
import { withTopLevelAwait } from './topLevelAwait.js';

const COMMANDS = [
  '.actors',
  '.info',
  '.enter',
  '.leave',
  '.exit',
  '.help',
  '.break',
  '.clear',
  '.editor',
];

function evalOptions(json = false): Record<string, unknown> {
  const out = process.stdout;
  return { columns: out.columns ?? 80, colors: out.isTTY && out.hasColors(), json };
}

/** `-e EXPR`: evaluate once, print, exit 1 if it threw. */
async function once(client: ControlClient, parsed: ControlArgs): Promise<number> {
  const json = parsed.flags['json'] === true;
  const source = String(parsed.flags['eval']);
  const result = (await client.request('eval', {
    source: withTopLevelAwait(source) ?? source,
    actor: parsed.flags['actor'],
    options: { ...evalOptions(json), colors: false },
  })) as ShellResult;
  if (result.thrown === true) {
    process.stderr.write(`${result.text}\n`);
    return 1;
  }
  process.stdout.write(`${json ? (result.json ?? JSON.stringify(result.text)) : result.text}\n`);
  return 0;
}

/** The interactive shell; resolves with the exit code when it closes. */
function interactive(client: ControlClient, parsed: ControlArgs): Promise<number> {
  let actor = parsed.flags['actor'] as string | undefined;
  let pending: number | undefined;
  // Requests still answering when the input ends (a piped script): awaited before leaving.
  const answering = new Set<Promise<unknown>>();
  const ask = (op: string, args: Record<string, unknown> = {}): Promise<unknown> => {
    const request = client.request(op, args);
    const settled = request.then(
      () => undefined,
      () => undefined,
    );
    answering.add(settled);
    void settled.then(() => answering.delete(settled));
    return request;
  };
  // One line at a time, in order: piped or pasted lines arrive before the
  // previous one is answered, and a line after `.enter` runs in the actor
  // entered.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = (step: () => Promise<unknown> | void): void => {
    const next = turn.then(step).then(
      () => undefined,
      () => undefined,
    );
    turn = next;
    answering.add(next);
    void next.then(() => answering.delete(next));
  };
  const name = parsed.arbiter ?? 'arbiter';
  const prompt = (): string => `rxpulsar:${name}${actor === undefined ? '' : `/${actor}`}> `;
  const print = (server: REPLServer, text: string): void => {
    server.output.write(`${text}\n`);
    server.displayPrompt();
  };
  const server = start({
    prompt: prompt(),
    ignoreUndefined: true,
    preview: false,
    writer: (text: unknown) => String(text),
    eval: (source, _context, _file, callback) => {
      if (source.trim() === '') return callback(null, undefined);
      inTurn(() => {
        const code = withTopLevelAwait(source) ?? source;
        const request = ask('eval', { source: code, actor, options: evalOptions() });
        pending = client.lastId;
        return request.then(
          (value) => {
            pending = undefined;
            const result = value as ShellResult;
            if (result.recoverable === true)
              return callback(new Recoverable(new SyntaxError(result.text)), undefined);
            callback(null, result.text);
          },
          (err: unknown) => {
            pending = undefined;
            callback(null, `Error: ${(err as Error).message}`);
          },
        );
      });
    },
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => {
      if (line.startsWith('.')) {
        callback(null, [COMMANDS.filter((c) => c.startsWith(line)), line]);
        return;
      }
      ask('complete', { line, actor }).then(
        (r) => callback(null, r as [string[], string]),
        () => callback(null, [[], line]),
      );
    },
  });
  // Ctrl-C during an evaluation cancels it (the arbiter keeps running);
  // otherwise it does what it does in node's REPL.
  const original = server.listeners('SIGINT') as (() => void)[];
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    if (pending !== undefined) void ask('cancel', { target: pending }).catch(() => undefined);
    else for (const listener of original) listener.call(server);
  });
  const history =
    process.env['RXPULSAR_SHELL_HISTORY'] ?? join(homedir(), '.rxpulsar_shell_history');
  server.setupHistory(history, () => undefined);
  server.defineCommand('actors', {
    help: 'The actors of the arbiter (as rxpulsar ps)',
    action: () =>
      inTurn(() =>
        ask('ps').then(
          (rows) => print(server, formatPs(rows as PsRow[])),
          (err: unknown) => print(server, `Error: ${(err as Error).message}`),
        ),
      ),
  });
  server.defineCommand('info', {
    help: 'The info tree of the arbiter, or of an app, monitor or actor: .info [aid|name]',
    action: (target: string) =>
      inTurn(() =>
        ask('info', { target: target.trim() || undefined }).then(
          (value) => print(server, formatInfo(value)),
          (err: unknown) => print(server, `Error: ${(err as Error).message}`),
        ),
      ),
  });
  server.defineCommand('enter', {
    help: 'Evaluate inside an actor (process or thread) until .leave: .enter <aid|name>',
    action: (target: string) => {
      const wanted = target.trim();
      inTurn(() =>
        ask('ps').then(
          (rows) => {
            const row = (rows as PsRow[]).find((r) => r.aid === wanted || r.name === wanted);
            if (row === undefined)
              return print(server, `Error: no actor "${wanted}" (see .actors)`);
            actor = row.aid;
            server.setPrompt(prompt());
            print(
              server,
              `entered ${row.name} (${row.aid}, pid ${String(row.pid)}); .leave to come back`,
            );
          },
          (err: unknown) => print(server, `Error: ${(err as Error).message}`),
        ),
      );
    },
  });
  server.defineCommand('leave', {
    help: 'Back to the arbiter after .enter',
    action: () =>
      inTurn(() => {
        actor = undefined;
        server.setPrompt(prompt());
        print(server, 'back in the arbiter');
      }),
  });
  return new Promise((resolve) => {
    let lost = false;
    let closing = false;
    client.onClose(() => {
      if (closing) return;
      lost = true;
      server.output.write('\nthe arbiter went away\n');
      server.close();
    });
    server.on('exit', () => {
      closing = true;
      void Promise.all(answering).then(() => resolve(lost ? 1 : 0));
    });
  });
}

const shell: ControlCommand = {
  name: 'shell',
  usage: '[-e EXPR] [--actor AID|NAME]',
  options: { eval: { type: 'string', short: 'e' }, actor: { type: 'string' } },
  check: ({ args }) => {
    if (args.length > 0) throw new Error(`unexpected argument ${args[0]}`);
  },
  run: (client, parsed) =>
    parsed.flags['eval'] !== undefined ? once(client, parsed) : interactive(client, parsed),
};

/**
 * Run `rxpulsar shell`.
 * @param argv - the arguments after `shell`.
 * @returns the exit code.
 * @example
 * ```ts
 * await run(['-e', 'arbiter.monitors.size']);
 * ```
 */
export function run(argv: string[]): Promise<number> {
  return runControl(shell, argv);
}
