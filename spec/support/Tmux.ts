/**
 * A pseudo-terminal for specs: a command run in a detached tmux session on
 * a private tmux server (`-L`), never the user's; keys are sent and the
 * screen is read as a person would.
 */
import { execFile, execFileSync } from 'node:child_process';
import { waitFor } from './waiting.js';

let count = 0;

/** `true` when tmux is installed. */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class Tmux {
  private readonly server = `rxp-spec-${process.pid}-${++count}`;
  private readonly target = 'spec';

  /** Run `command` in a 120×40 terminal, with `env` added to its environment. */
  start(command: string[], env: Record<string, string> = {}): void {
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux([
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-x',
      '120',
      '-y',
      '40',
      '-s',
      this.target,
      ...vars,
      ...command,
    ]);
  }

  /** Type literal text. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.target, '-l', text]);
  }

  /** Press keys by name (`Enter`, `Tab`, `C-c`). */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.target, ...keys]);
  }

  /** The screen and what scrolled off it, as text (trailing blanks trimmed). */
  screen(): string {
    try {
      const text = this.tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', this.target]);
      return text
        .split('\n')
        .map((line) => line.trimEnd())
        .join('\n');
    } catch {
      return '';
    }
  }

  /** Wait until the screen matches; the error shows the screen. */
  async waitScreen(pattern: RegExp, ms = 10_000): Promise<string> {
    let last = '';
    try {
      await waitFor(() => pattern.test((last = this.screen())), ms, `screen ${String(pattern)}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the screen:\n${last}`, { cause: err });
    }
    return last;
  }

  /** `true` while the session runs (its command has not exited). */
  running(): boolean {
    try {
      this.tmux(['has-session', '-t', this.target]);
      return true;
    } catch {
      return false;
    }
  }

  /** Kill the session and the private server. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      execFile('tmux', ['-L', this.server, 'kill-session', '-t', this.target], () =>
        execFile('tmux', ['-L', this.server, 'kill-server'], () => resolve()),
      );
    });
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.server, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
}
