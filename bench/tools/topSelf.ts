/**
 * Summarise a `.cpuprofile`: the functions with the most self time, and
 * self time by origin (rxpulsar, node-ipc, rxjs, Node internals, GC...).
 * `node dist/bench/tools/topSelf.js FILE.cpuprofile [top=10] [from=0]`: `from`, in
 * seconds after the profile's start, leaves out what came before (start-up,
 * module loading, warm-up rounds).
 * @module
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function origin(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.includes('/node_modules/')) {
    return url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  }
  if (url.includes('/dist/lib/')) return 'rxpulsar lib';
  if (url.includes('/dist/bench/')) return 'bench harness';
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: topSelf FILE.cpuprofile [top] [from seconds]');
const top = Number(process.argv[3] ?? 10);
const from = Number(process.argv[4] ?? 0) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byOrigin = new Map<string, number>();
let total = 0;
let at = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (node === undefined || at < from) return;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(dist|node_modules)\//, '').replace(/^file:\/\//, '');
  const key = `${functionName || '(anonymous)'}  ${short}${url ? `:${lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const o = origin(url, functionName);
  byOrigin.set(o, (byOrigin.get(o) ?? 0) + dt);
  total += dt;
});
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(6)} ms`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
for (const [key, us] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`${ms(us)} ${pct(us)}  ${key}`);
}
console.log('by origin:');
for (const [key, us] of [...byOrigin].sort((x, y) => y[1] - x[1])) {
  console.log(`${ms(us)} ${pct(us)}  ${key}`);
}
