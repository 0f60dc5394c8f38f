// A pool that heals and resizes itself.
//
//   npm run build && node dist/samples/pool/main.js
//
// Load arrives: the pool grows (resized$ says why); a worker is killed with
// SIGKILL: it is replaced at once; the load goes: the pool shrinks back.
import { fileURLToPath } from 'node:url';
import { arbiter, send } from '../../lib/index.js';

const module = fileURLToPath(new URL('./worker.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = Date.now();
const log = (line: string): void =>
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s  ${line}`);

const a = arbiter();
const pool = a.addMonitor('pool', {
  module,
  workers: 1,
  minWorkers: 1,
  maxWorkers: 4,
  scaleUpLoad: 1, // more than one request in flight per worker...
  cooldown: 1000, // ...for a second: one worker more
  period: 250,
  timeout: 3000,
});
pool.events.resized$.subscribe((e) => log(`resized$ ${e.from} → ${e.to}: ${e.reason}`));
a.events.actorExited$.subscribe((e) => log(`worker ${e.aid} exited (${e.signal ?? e.exitCode})`));
await a.start();
log(`pool ready with ${pool.managedActors.length} worker`);

// Load: keep 8 requests of 300 ms in flight for 5 seconds.
let stopLoad = false;
const client = async (): Promise<void> => {
  while (!stopLoad) {
    const workers = pool.managedActors;
    const target = workers[Math.floor(Math.random() * workers.length)];
    if (target !== undefined) await send(target, 'work', 300).then(undefined, () => undefined);
    else await sleep(50);
  }
};
log('load: 8 requests in flight');
const clients = Array.from({ length: 8 }, client);
await sleep(5000);

const victim = pool.managedActors[0];
if (victim?.pid !== undefined) {
  const killedAt = Date.now();
  log(`kill -9 ${victim.pid} (worker ${victim.aid})`);
  process.kill(victim.pid, 'SIGKILL');
  while (pool.managedActors.some((p) => p.aid === victim.aid) || pool.spawningActors.length > 0) {
    await sleep(5);
  }
  const fresh = pool.managedActors[pool.managedActors.length - 1];
  if (fresh !== undefined) await send(fresh, 'ping');
  log(`replacement ${fresh?.aid} answers ping ${Date.now() - killedAt} ms after the kill`);
}

stopLoad = true;
await Promise.all(clients);
log('load gone: waiting for the pool to shrink');
while (pool.workers > 1) await sleep(100);
await sleep(500);
log(`pool back to ${pool.managedActors.length} worker`);
await a.stop();
log('stopped');
