/**
 * The `rxpulsar` command line. For now it runs a module (which starts its
 * own arbiter) and answers `--help` and `--version`; the configuration
 * flags arrive with the Application layer.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const USAGE = `Usage: rxpulsar <module> [args...]
       rxpulsar --help | --version

Runs <module>, a JavaScript module that starts an arbiter (see README).`;

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
 * @returns the exit code (the module may keep the process running after).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first.startsWith('-')) {
    process.stderr.write(`rxpulsar: unknown option ${first}\n${USAGE}\n`);
    return 2;
  }
  try {
    await import(pathToFileURL(resolve(first)).href);
  } catch (err) {
    process.stderr.write(
      `rxpulsar: ${first} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
  return 0;
}
