/**
 * An arbiter running an app module in a child process, started by the real
 * CLI (bin/rxpulsar.js) with a private control registry
 * (XDG_RUNTIME_DIR), and the CLI to talk to it: what a person does in two
 * terminals.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { within } from './waiting.js';

/** The CLI's entry point. */
export const bin = fileURLToPath(new URL('../../../bin/rxpulsar.js', import.meta.url));

/** A fixture app module, by file name (compiled). */
export const fixtureApp = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/apps/${name}.js`, import.meta.url));

/** What a CLI run printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class RunningArbiter {
  /** The private registry's base folder (XDG_RUNTIME_DIR of both ends). */
  readonly runtime: string;
  /** The environment both ends run with. */
  readonly env: NodeJS.ProcessEnv;
  child: ChildProcess | undefined;
  /** The first line the app printed, parsed. */
  ready: Record<string, unknown> = {};
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(runtime?: string) {
    this.runtime = runtime ?? mkdtempSync(join(tmpdir(), 'rxp-ops-spec-'));
    this.env = { ...process.env, XDG_RUNTIME_DIR: this.runtime };
  }

  /** What it and its workers wrote on stderr, when started with `captureStderr`. */
  stderr = '';

  /**
   * Start `rxpulsar <module> ...args`; resolves once it printed its first line.
   * @param captureStderr - keep its stderr (its workers' too) in {@link stderr}, not the spec's.
   */
  async start(module: string, args: string[] = [], captureStderr = false): Promise<this> {
    const child = spawn(process.execPath, [bin, module, ...args], {
      env: this.env,
      stdio: ['ignore', 'pipe', captureStderr ? 'pipe' : 'inherit'],
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const line = await within(
      new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once('line', resolve),
      ),
      30_000,
      `${module} printed nothing`,
    );
    this.ready = JSON.parse(line) as Record<string, unknown>;
    return this;
  }

  /** Run `rxpulsar ...args` against it, with `input` piped to its stdin if given. */
  cli(args: string[], timeout = 60_000, input?: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [bin, ...args],
        { env: this.env, timeout },
        (err, stdout, stderr) => {
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** Its exit code, once it exited. */
  exit(): Promise<number | null> {
    return this.exited;
  }

  /** Stop it (SIGTERM, then SIGKILL) if it runs, and remove the registry folder. */
  async close(keepRuntime = false): Promise<void> {
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (!keepRuntime) rmSync(this.runtime, { recursive: true, force: true });
  }
}
