/**
 * Profiling aid, not a scenario: the JavaScript of one request and its
 * reply, without any socket: two Mailboxes in this process, each writing
 * through an Outbox into frames, each frame parsed as the hub's guard
 * parses it. CPU time per round trip, so that a change on the message path
 * can be weighed on a loaded machine (run it alternately on two builds);
 * with `--cpu-prof`, what is left shows up (mostly `JSON.stringify` of the
 * envelope and `JSON.parse` of the frame).
 *
 *     node dist/bench/tools/pathCost.js [roundTrips=200000] [bytes=16] [string|object]
 * @module
 */
import { Mailbox } from '../../lib/actor/Mailbox.js';
import { FrameReader } from '../../lib/transport/FrameReader.js';
import { Outbox } from '../../lib/transport/Outbox.js';
import { DELIMITER } from '../../lib/transport/protocol.js';
import { WireReader } from '../../lib/transport/WireReader.js';

const count = Number(process.argv[2] ?? 200_000);
const text = 'x'.repeat(Number(process.argv[3] ?? 16));
const payload = process.argv[4] === 'object' ? { text } : text;

/** A mailbox whose frames pile up in `frames`. */
function side(
  aid: string,
  frames: string[],
  serve: (args: unknown[]) => unknown,
): { mailbox: Mailbox; frames: string[]; reader: FrameReader; wire: WireReader } {
  const outbox = new Outbox((text) => frames.push(text));
  const mailbox = new Mailbox(
    aid,
    (env) => outbox.push(env),
    (_r, args) => serve(args),
    30_000,
  );
  return { mailbox, frames, reader: new FrameReader(DELIMITER), wire: new WireReader() };
}

/** Hand every write waiting in `from.frames` to `to`, read as the guard reads it. */
async function carry(from: ReturnType<typeof side>, to: Mailbox): Promise<void> {
  // The Outbox writes at the end of the tick (a microtask).
  while (from.frames.length === 0) await Promise.resolve();
  for (const text of from.frames.splice(0)) {
    from.reader.feed(text, (frame) => {
      const env = from.wire.read(frame);
      if (typeof env === 'object') to.receive(env);
      return true;
    });
  }
}

const client = side('arbiter-a1b2c3d4', [], () => undefined);
const server = side('echo-e5f6a7b8', [], (args) => args[0]);

async function run(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const reply = client.mailbox.request(server.mailbox.aid, 'echo', [payload]);
    await carry(client, server.mailbox);
    await carry(server, client.mailbox);
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
