/**
 * The `rxpulsar` command line: `rxpulsar <app-module> [flags]` runs an app
 * module with the flags as its configuration; `rxpulsar --help` lists every
 * setting; `rxpulsar --version`.
 *
 * Exit codes: 0 done (or the app runs until stopped by a signal), 1 the
 * module failed to load or an app failed to start, 2 bad usage or
 * configuration (see `runApp.ts`).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const USAGE = `Usage: rxpulsar <app-module> [flags]   run an application module
       rxpulsar <app-module> --help      the settings of that application
       rxpulsar <command> [args]         a command (below)
       rxpulsar --help | --version`;

/** A subcommand: `rxpulsar <name> [args]`, loaded only when used. */
export interface Subcommand {
  /** Runs the subcommand; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/**
 * The subcommands, by name, each in a module of its own under `lib/cli/`
 * that is imported only when it runs. A first argument that is not one of
 * these is an app module.
 */
const SUBCOMMANDS = new Map<string, { summary: string; load: () => Promise<Subcommand> }>([
  [
    'test',
    {
      summary: 'run mocha spec files in parallel on worker actors',
      load: () => import('./testCommand.js'),
    },
  ],
  [
    'ps',
    {
      summary: 'the workers of a running arbiter, as a table',
      load: () => import('./control/ps.js'),
    },
  ],
  [
    'info',
    {
      summary: 'the info tree of a running arbiter, app or actor',
      load: () => import('./control/info.js'),
    },
  ],
  [
    'scale',
    { summary: 'resize an app: scale <app> <N|+N|-N>', load: () => import('./control/scale.js') },
  ],
  [
    'reload',
    {
      summary: 'replace the workers of an app, successors first',
      load: () => import('./control/reload.js'),
    },
  ],
  [
    'stop',
    {
      summary: 'stop a running arbiter (--fast: at once)',
      load: () => import('./control/stop.js'),
    },
  ],
  [
    'shell',
    {
      summary: 'a REPL in a running arbiter (-e EXPR: evaluate once)',
      load: () => import('./control/shell.js'),
    },
  ],
  [
    'join',
    { summary: "run workers of a remote arbiter's app here", load: () => import('./join.js') },
  ],
]);

/** The commands' lines of the usage. */
function commandsHelp(): string {
  const lines = [...SUBCOMMANDS].map(([name, { summary }]) => `  ${name.padEnd(8)}${summary}`);
  return `Commands (rxpulsar <command> --help for each):\n${lines.join('\n')}`;
}

function version(): string {
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

/**
 * Run the command line.
 *
 * @param argv - the arguments after the program name.
 * @returns the exit code (the app may keep the process running after).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    // Loaded here only: a command (`rxpulsar test`) starts without the runtime.
    const [{ helpText }, { appSettings, globalSettings, serverSettings }] = await Promise.all([
      import('../config/helpText.js'),
      import('../config/settings.js'),
    ]);
    // The settings begin with a usage line of their own: ours says more.
    const settings = helpText(
      { ...globalSettings, ...appSettings },
      {
        program: 'rxpulsar <app-module>',
        more: [{ title: 'Server app options (HttpServer, SocketServer)', schema: serverSettings }],
      },
    ).replace(/^Usage:[^\n]*\n\n?/, '');
    (first === undefined ? process.stderr : process.stdout).write(
      `${USAGE}\n\n${commandsHelp()}\n\n${settings}\n`,
    );
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const subcommand = SUBCOMMANDS.get(first);
  if (subcommand !== undefined) return (await subcommand.load()).run(rest);
  if (first.startsWith('-')) {
    process.stderr.write(`rxpulsar: unknown option ${first}\n${USAGE}\n`);
    return 2;
  }
  // A mistyped command (a bare word, no such file) is not a module to load.
  if (/^[A-Za-z][\w-]*$/.test(first) && !existsSync(resolve(first))) {
    process.stderr.write(
      `rxpulsar: no command or module "${first}" (commands: ${[...SUBCOMMANDS.keys()].join(', ')})\n${USAGE}\n`,
    );
    return 2;
  }
  const { runApp } = await import('./runApp.js');
  return runApp(first, resolve(first), rest);
}
