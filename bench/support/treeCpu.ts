/**
 * CPU time of a process (this one by default) and all its descendants (Linux `/proc`): what a
 * piece of work cost on all the cores, less swayed by other load on the
 * machine than its wall-clock rate.
 * @module
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function children(pid: number): number[] {
  try {
    const tids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tids.split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0;
  }
}

/**
 * @param pid - the root process (default: this one).
 * @returns ms of CPU used so far by `pid` and its live descendants
 *   (0 where `/proc` cannot tell).
 * @example
 * ```ts
 * const before = treeCpuMs(); work(); const cost = treeCpuMs() - before;
 * ```
 */
export function treeCpuMs(pid = process.pid): number {
  let total = 0;
  for (const ms of treeCpuByPid(pid).values()) total += ms;
  return total;
}

/**
 * @param root - the root process (default: this one).
 * @returns ms of CPU used so far by `root` and each live descendant, by pid.
 * @example
 * ```ts
 * for (const [pid, ms] of treeCpuByPid()) console.log(pid, ms);
 * ```
 */
export function treeCpuByPid(root = process.pid): Map<number, number> {
  const out = new Map<number, number>();
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    out.set(pid, cpuOf(pid));
    todo.push(...children(pid));
  }
  return out;
}
