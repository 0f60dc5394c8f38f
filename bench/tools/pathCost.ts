/**
 * Profiling aid, not a scenario: the JavaScript of one request and its
 * reply, without any socket: two Mailboxes in this process, each writing
 * through an Outbox into frames, each frame parsed as the hub's guard
 * parses it. CPU time per round trip, so that a change on the message path
 * can be weighed on a loaded machine (run it alternately on two builds);
 * with `--cpu-prof`, what is left shows up (mostly `JSON.stringify` of the
 * envelope and `JSON.parse` of the frame).
 *
 *     node dist/bench/tools/pathCost.js [roundTrips=200000]
 * @module
 */
import { Mailbox } from '../../lib/actor/Mailbox.js';
import { Outbox } from '../../lib/transport/Outbox.js';
import { frameOf, type Envelope } from '../../lib/transport/protocol.js';

const count = Number(process.argv[2] ?? 200_000);
const PREFIX_LENGTH = '{"type":"m","data":['.length;

/** A mailbox whose frames pile up in `frames`. */
function side(
  aid: string,
  frames: string[],
  serve: (args: unknown[]) => unknown,
): { mailbox: Mailbox; frames: string[] } {
  const outbox = new Outbox((parts) => frames.push(frameOf(parts, '\f')));
  const mailbox = new Mailbox(
    aid,
    (env) => outbox.push(env),
    (_r, args) => serve(args),
    30_000,
  );
  return { mailbox, frames };
}

/** Hand every frame waiting in `frames` to `to`, parsed as the guard does. */
async function carry(frames: string[], to: Mailbox): Promise<void> {
  // The Outbox writes at the end of the tick (a microtask).
  while (frames.length === 0) await Promise.resolve();
  for (const frame of frames.splice(0)) {
    const batch = JSON.parse(frame.slice(PREFIX_LENGTH - 1, frame.length - 2)) as Envelope[];
    for (const env of batch) to.receive(env);
  }
}

const client = side('arbiter-a1b2c3d4', [], () => undefined);
const server = side('echo-e5f6a7b8', [], (args) => args[0]);

async function run(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const reply = client.mailbox.request(server.mailbox.aid, 'echo', ['x'.repeat(16)]);
    await carry(client.frames, server.mailbox);
    await carry(server.frames, client.mailbox);
    await reply;
  }
}

await run(20_000);
const cpu = process.cpuUsage();
const start = performance.now();
await run(count);
const used = process.cpuUsage(cpu);
const wall = ((performance.now() - start) * 1000) / count;
console.log(
  `${count} round trips: ${((used.user + used.system) / count).toFixed(3)} µs of CPU each ` +
    `(${wall.toFixed(3)} µs wall)`,
);
client.mailbox.close();
server.mailbox.close();
