/**
 * One watchdog per arbiter for its process actors: a tiny `/bin/sh` child
 * that kills the arbiter's children if the arbiter dies (even by SIGKILL)
 * while one of them is stuck in CPU-bound code and cannot notice by itself.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { ORPHAN_GRACE_MS } from './processChild.js';

// The reaper, in the shell (POSIX sh: dash, bash, busybox; builtins only,
// but for one `sleep`, and `rm` for a folder). Its arguments are the lines
// of what was watched when it started (so that a SIGKILL of the arbiter
// right after the spawn, before a write, loses none), then its stdin, a
// pipe from the arbiter: `+ <pid>` for each child forked, `- <pid>` for each that exited
// (a pid listed twice, reused, loses its older entry), `d <path>` for a
// folder of the children's to remove after killing them. End of file means the
// arbiter is gone (it died, or it has no child left and closed the pipe):
// the children still listed get the grace, then SIGKILL if they are still
// the processes that were forked (same start time in /proc/<pid>/stat,
// where there is a /proc: a pid reused meanwhile is left alone; one gone
// before the reaper heard of it is not listed). Ctrl-C, a hang-up and a
// service manager's SIGTERM reach the whole process group: only the arbiter
// acts on them; the reaper stays until its pipe closes.
const SCRIPT = `
trap '' INT HUP TERM
set -f
st() { s=; if [ -r /proc/$1/stat ] && read -r s < /proc/$1/stat; then s=\${s##*) }; set -- $s; s=\${20}; fi; }
on() {
  case $1 in
    +) st "$2"; [ -z "$s" ] && [ -r /proc/$$/stat ] || w="$w$2:$s " ;;
    -) case $w in *" $2:"*) a=\${w%%" $2:"*}; b=\${w#*" $2:"}; b=\${b#* }; w="$a $b" ;; esac ;;
    d) d="$d$2
" ;;
  esac
}
w=' '
g=$1; shift
for l in "$@"; do on "\${l%% *}" "\${l#* }"; done
while read -r op p; do on "$op" "$p"; done
[ "$w" = ' ' ] && exit 0
sleep "$g" 2>/dev/null || sleep 1
for e in $w; do
  p=\${e%%:*}; t=\${e#*:}
  if [ -n "$t" ]; then st "$p"; [ "$s" = "$t" ] && kill -9 "$p" 2>/dev/null
  else kill -9 "$p" 2>/dev/null; fi
done
IFS='
'
for p in $d; do rm -rf -- "$p" 2>/dev/null; done
exit 0
`;

/**
 * Watches the child processes of this process, to kill them after
 * {@link ORPHAN_GRACE_MS} if it dies. The reaper process starts with the
 * first child watched and ends (its pipe closed) once none is left and no
 * arbiter holds it ({@link OrphanReaper.hold}), so an arbiter that stopped
 * leaves nothing behind; its handles are `unref()`'d:
 * it never keeps the arbiter alive. `ProcessWorker` watches every
 * child it forks with {@link OrphanReaper.shared}.
 *
 * @example
 * ```ts
 * OrphanReaper.shared.watch(child.pid);
 * child.once('exit', () => OrphanReaper.shared.forget(child.pid));
 * ```
 */
export class OrphanReaper {
  /** The reaper of this process's process actors. */
  static readonly shared = new OrphanReaper();
  /**
   * The pids watched, each with how many `watch()`es it has not had a
   * `forget()` for: more than one when a pid was forked again between a
   * child's exit and the `forget()` that follows it (a pid reused).
   */
  private readonly pids = new Map<number, number>();
  private holds = 0;
  /** Folders to remove after killing the children (see {@link OrphanReaper.removeWith}). */
  private readonly dirs = new Set<string>();
  private child: ChildProcess | undefined;
  private unavailable = process.platform === 'win32';

  /**
   * @param graceMs - how long orphans may take to stop by themselves.
   * @param shell - the POSIX shell that runs the reaper.
   */
  constructor(
    private readonly graceMs = ORPHAN_GRACE_MS,
    private readonly shell = '/bin/sh',
  ) {}

  /** The reaper's pid while it runs, else `undefined`. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Watch children: each is killed after the grace if this process dies first.
   * @param pids - the children's pids (given at once, a reaper that starts has them all).
   */
  watch(...pids: number[]): void {
    const valid = pids.filter((pid) => Number.isSafeInteger(pid) && pid > 0);
    if (valid.length === 0) return;
    // A pid watched already was reused (two children exited at once, and a
    // replacement forked in the first one's exit got the second one's pid):
    // the reaper lists it again, with the new process's start time; the
    // `forget()` of the old one removes its older entry.
    for (const pid of valid) this.pids.set(pid, (this.pids.get(pid) ?? 0) + 1);
    // Started with them all as its arguments; else told.
    if (this.child === undefined) this.start();
    else this.write(valid.map((pid) => `+ ${pid}\n`).join(''));
  }

  /**
   * Stop watching a child (it exited); the last one ends the reaper, unless
   * it is held.
   * @param pid - the child's pid.
   */
  forget(pid: number): void {
    const n = this.pids.get(pid);
    if (n === undefined) return;
    if (n > 1) this.pids.set(pid, n - 1);
    else this.pids.delete(pid);
    this.write(`- ${pid}\n`);
    this.endIfIdle();
  }

  /**
   * Remove a folder of the children watched (their sockets), should this
   * process die with one of them left to kill: this process cannot then.
   * Nothing when none is left (each removed it, or this process did).
   * Kept for the reaper's life (removing a folder gone already does nothing).
   * @param dir - the folder (a path with no newline).
   */
  removeWith(dir: string): void {
    if (dir.includes('\n') || this.dirs.has(dir)) return;
    this.dirs.add(dir);
    this.write(`d ${dir}\n`);
  }

  /**
   * Keep the reaper, once started, while no child is watched: an arbiter
   * holds it from its start to its stop, so that spawning one actor after
   * another does not start a reaper for each (a `fork()` of the arbiter,
   * 2-3 ms of its loop).
   * @returns releases the hold (the reaper ends if no child is watched).
   */
  hold(): () => void {
    this.holds += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holds -= 1;
      this.endIfIdle();
    };
  }

  /** End the reaper if no child is watched and nobody holds it. */
  private endIfIdle(): void {
    if (this.pids.size > 0 || this.holds > 0) return;
    this.child?.stdin?.end();
    this.child = undefined;
  }

  /** Start the reaper with the children watched now. */
  private start(): void {
    if (this.unavailable) return;
    const seconds = String(Math.max(0, this.graceMs) / 1000);
    let child: ChildProcess;
    try {
      const lines = [...this.pids].flatMap(([pid, n]) => Array<string>(n).fill(`+ ${pid}`));
      for (const dir of this.dirs) lines.push(`d ${dir}`);
      child = spawn(this.shell, ['-c', SCRIPT, 'rxpulsar-reaper', seconds, ...lines], {
        argv0: 'rxpulsar: reaper',
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch {
      this.unavailable = true;
      return;
    }
    this.child = child;
    child.unref();
    const stdin = child.stdin as Socket;
    stdin.unref();
    // A reaper that died (killed from outside) is restarted with the next
    // child watched; its pipe's EPIPE is not the arbiter's problem.
    stdin.on('error', () => undefined);
    child.once('error', (err: NodeJS.ErrnoException) => {
      // No shell: never again. A fork that failed for now (EAGAIN, ENOMEM):
      // tried again with the next child watched.
      const noShell = err.code === 'ENOENT' || err.code === 'EACCES';
      if (child.pid === undefined && noShell) this.unavailable = true;
      if (this.child === child) this.child = undefined;
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
  }

  /** Tell the reaper, if it runs. */
  private write(line: string): void {
    const stdin = this.child?.stdin;
    if (stdin !== null && stdin !== undefined && stdin.writable) stdin.write(line);
  }
}
