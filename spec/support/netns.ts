/**
 * Two hosts on one machine, for specs: this process's network namespace is
 * one host, a new namespace the other, linked by a veth pair on a /30 of
 * their own (`10.231.X.Y`). Needs root and iproute2 (`.ci/run` installs it);
 * {@link netnsUnavailable} says why not, so that a spec can skip with the
 * reason in its name. Every pair has unique names (pid + counter) and
 * `remove()` deletes it whatever state it is in.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

let counter = 0;
let checked: string | undefined | null = null;

/** Run `ip` with `args`; throw with its stderr on failure. */
function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Why network namespaces cannot be used here, or `undefined` when they can
 * (checked once per process: a namespace is made and deleted).
 */
export function netnsUnavailable(): string | undefined {
  if (checked !== null) return checked;
  if (process.platform !== 'linux') return (checked = `not Linux (${process.platform})`);
  if (process.getuid?.() !== 0) return (checked = 'not root (ip netns needs root)');
  const name = `rxp-probe-${process.pid}`;
  try {
    ip('netns', 'add', name);
    ip('netns', 'delete', name);
    checked = undefined;
  } catch (err) {
    const text = (err as { stderr?: string }).stderr ?? (err as Error).message;
    checked = `ip netns unavailable: ${text.trim().split('\n')[0] ?? 'failed'}`;
  }
  return checked;
}

/** A second host and the link to it. */
export interface TwoHosts {
  /** The other host's namespace. */
  readonly ns: string;
  /** This host's address on the link. */
  readonly here: string;
  /** The other host's address on the link. */
  readonly there: string;
  /**
   * Spawn a program on the other host (`ip netns exec`, which execs it:
   * the child's pid is the program's).
   */
  spawn(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Cut the link: this host's end of the veth goes down (no FIN, no RST). */
  cut(): void;
  /** Delete the link: both ends of the veth, the other host keeps no route here. */
  unplug(): void;
  /** Mend the link again (after `cut()`). */
  mend(): void;
  /** Delete the link (both ends) and the namespace; never throws. */
  remove(): void;
}

/**
 * Make the other host.
 * @returns it; call `remove()` in an after hook.
 */
export function makeTwoHosts(): TwoHosts {
  const n = counter++;
  const id = `${process.pid % 100_000}x${n}`;
  const ns = `rxp-host-${id}`;
  const mine = `rxa${id}`;
  const theirs = `rxb${id}`;
  const net = `10.231.${process.pid % 250}`;
  const base = (n % 60) * 4;
  const here = `${net}.${base + 1}`;
  const there = `${net}.${base + 2}`;
  const remove = (): void => {
    for (const args of [
      ['link', 'delete', mine],
      ['netns', 'delete', ns],
    ]) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
  };
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', mine, 'type', 'veth', 'peer', 'name', theirs);
    ip('link', 'set', theirs, 'netns', ns);
    ip('addr', 'add', `${here}/30`, 'dev', mine);
    ip('link', 'set', mine, 'up');
    ip('-n', ns, 'addr', 'add', `${there}/30`, 'dev', theirs);
    ip('-n', ns, 'link', 'set', theirs, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ns,
    here,
    there,
    spawn: (command, args, options = {}) =>
      spawn('ip', ['netns', 'exec', ns, command, ...args], options),
    cut: () => void ip('link', 'set', mine, 'down'),
    unplug: () => void ip('link', 'delete', mine),
    mend: () => void ip('link', 'set', mine, 'up'),
    remove,
  };
}
