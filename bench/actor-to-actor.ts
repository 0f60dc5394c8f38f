/**
 * Scenario `actor-to-actor`: actor A pings actor B (by aid), sequentially
 * and 100 in flight, measured inside A. On their first exchange the
 * arbiter introduces them (see `Introducer`): process actors get a Unix
 * socket of their own, thread actors a MessageChannel. There is no raw equivalent of
 * a routed hop, so the baseline is the arbiter pinging B directly in the
 * same run (the arbiter→actor path): the ratio is the price of A→B's path.
 * Targets (issue 13): round trip ≤ 1.2×, throughput ≥ 0.8× arbiter→B.
 * @module
 */
import { send, spawn, type ActorProxy } from '../lib/index.js';
import { roundTrip, throughput } from './support/echoLoad.js';
import { fixture } from './support/fixture.js';
import { compare, type Row, type Scenario } from './support/Row.js';
import { median } from './support/stats.js';
import { withArbiter } from './support/withArbiter.js';

const SEQUENTIAL = 2000;
const PIPELINED = 20_000;
const IN_FLIGHT = 100;
const REPS = 3;
const NOTE = {
  process: 'baseline: arbiter→actor ping of the same run; A→B on a direct Unix socket',
  thread: 'baseline: arbiter→actor ping of the same run; A→B on a direct MessageChannel',
};

async function pair(concurrency: 'process' | 'thread'): Promise<Row[]> {
  const proxies: ActorProxy[] = [];
  try {
    const a = await spawn({ name: 'bench-a', concurrency, module: fixture('pinger') });
    proxies.push(a);
    const b = await spawn({ name: 'bench-b', concurrency });
    proxies.push(b);
    const direct = (): PromiseLike<unknown> => send(b, 'ping');
    // Warm-up, both paths, twice: A and B are fresh children, while the
    // arbiter's side may be hot from the scenarios run before this one in
    // the same process (after 2000 pings, A→B pipelined read 0.64-0.75× in
    // such runs against 1.07-1.34× alone).
    for (let round = 0; round < 2; round++) {
      await send(a, 'pingPipelined', b.aid, PIPELINED / 2, IN_FLIGHT);
      await throughput(direct, undefined, PIPELINED / 2, IN_FLIGHT);
    }
    const viaA = { rtt: [] as number[], tput: [] as number[] };
    const fromArbiter = { rtt: [] as number[], tput: [] as number[] };
    for (let rep = 0; rep < REPS; rep++) {
      viaA.rtt.push(Number(await send(a, 'pingSequential', b.aid, SEQUENTIAL)));
      fromArbiter.rtt.push(await roundTrip(direct, undefined, SEQUENTIAL));
      viaA.tput.push(Number(await send(a, 'pingPipelined', b.aid, PIPELINED, IN_FLIGHT)));
      fromArbiter.tput.push(await throughput(direct, undefined, PIPELINED, IN_FLIGHT));
    }
    return [
      compare(
        `${concurrency} A→B ping round trip vs arbiter→B`,
        'µs',
        median(viaA.rtt),
        median(fromArbiter.rtt),
        { better: 'lower', note: NOTE[concurrency], target: 1.2 },
      ),
      compare(
        `${concurrency} A→B ping pipelined vs arbiter→B`,
        'msg/s',
        median(viaA.tput),
        median(fromArbiter.tput),
        { better: 'higher', note: NOTE[concurrency], target: 0.8 },
      ),
    ];
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
  }
}

async function run(): Promise<Row[]> {
  return withArbiter(async () => [...(await pair('process')), ...(await pair('thread'))]);
}

/** The scenario. */
export const scenario: Scenario = { name: 'actor-to-actor', run };
