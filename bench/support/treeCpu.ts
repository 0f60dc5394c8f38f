/**
 * CPU time of a process and its descendants, from `/proc` (Linux), for
 * benches that compare the CPU another process spends per operation: a
 * figure far less swayed than throughput by other work on the machine.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`: 100 on Linux). */
const TICKS = 100;

/**
 * @param pid - the root process.
 * @returns user + system CPU milliseconds of `pid` and of every live descendant.
 * @example
 * ```ts
 * const before = treeCpuMs(server.pid);
 * // … load …
 * const spent = treeCpuMs(server.pid) - before;
 * ```
 */
export function treeCpuMs(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // After the command's closing parenthesis: state, ppid, … utime (14), stime (15).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(name), {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    });
  }
  let ticks = 0;
  const roots = [pid];
  while (roots.length > 0) {
    const p = roots.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) roots.push(child);
  }
  return (ticks * 1000) / TICKS;
}
