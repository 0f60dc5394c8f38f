// A tour of the actor layer: the arbiter spawns greeters in processes and
// threads, talks to them, runs a function in one, and stops them all.
//
//   npm start            (builds, then runs this file)
import { fileURLToPath } from 'node:url';
import { arbiter, send, spawn, type Actor } from '../../lib/index.js';

const module = fileURLToPath(new URL('./greeter.js', import.meta.url));
const a = arbiter();
a.events.actorExited$.subscribe((e) =>
  console.log(`  ${e.name} ${e.aid} exited (${e.signal ?? e.exitCode})`),
);
await a.start();
console.log(`arbiter ${a.aid} running, hub at ${a.hubPath}`);

const started = Date.now();
const greeters = await Promise.all(
  (['process', 'process', 'thread', 'thread'] as const).map((concurrency, i) =>
    spawn({ name: `greeter-${i + 1}`, concurrency, module }),
  ),
);
console.log(`${greeters.length} greeters ready in ${Date.now() - started} ms`);

for (const greeter of greeters) {
  console.log(' ', await send(greeter, 'ping'), '→', await send(greeter, 'greet', 'world'));
}
const [first] = greeters;
if (first !== undefined) {
  const where = await send(
    first,
    'run',
    (actor: Actor) => `${actor.name} runs in pid ${process.pid}`,
  );
  console.log('  run:', where);
}

await Promise.all(greeters.map((g) => g.stop()));
await a.stop();
console.log('arbiter stopped');
