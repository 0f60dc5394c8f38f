/**
 * A request sent by name fails at once with ActorExitedError when its target
 * dies, whoever sends it: the arbiter, a monitor (in the arbiter's process)
 * or another actor. Names are resolved once, when the request is sent.
 */
import { expect } from 'chai';
import {
  ActorExitedError,
  arbiter,
  spawn,
  type ActorProxy,
  type Arbiter,
  type Monitor,
} from '../../lib/index.js';
import { within } from '../support/waiting.js';

/** Run on the target: answer nothing, exit soon. */
const dieSoon = (): Promise<never> =>
  new Promise(() => {
    setTimeout(() => process.exit(3), 50);
  });

async function failure(reply: PromiseLike<unknown>): Promise<unknown> {
  return within(
    Promise.resolve(reply).then(
      () => undefined,
      (err: unknown) => err,
    ),
    8000,
    'the request failed',
  );
}

describe('names resolved when a request is sent', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false, exitTimeout: 2000, requestTimeout: 30_000 });
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  it('should fail the request of the arbiter at once when its target, named, dies', async () => {
    const proxy = await spawn({ name: 'victim-of-arbiter', requestTimeout: 30_000 });
    const err = await failure(a.send('victim-of-arbiter', 'run', dieSoon));
    expect(err).to.be.instanceOf(ActorExitedError);
    expect(proxy.aid).to.be.a('string');
  });

  it('should fail the request of a monitor at once when its target, named, dies', async () => {
    const pool: Monitor = a.addMonitor('names-pool', { workers: 0 });
    await pool.start();
    await spawn({ name: 'victim-of-monitor', requestTimeout: 30_000 });
    const err = await failure(pool.send('victim-of-monitor', 'run', dieSoon));
    expect(err).to.be.instanceOf(ActorExitedError);
    await pool.stop();
  });

  it('should fail the request of another actor at once when its target, named, dies', async () => {
    const sender: ActorProxy = await spawn({ name: 'sender', requestTimeout: 30_000 });
    await spawn({ name: 'victim-of-actor', requestTimeout: 30_000 });
    const outcome = await within(
      a.send(sender, 'run', async (actor: { send(t: string, c: string, f: unknown): unknown }) => {
        const die = (): Promise<never> =>
          new Promise(() => {
            setTimeout(() => process.exit(3), 50);
          });
        try {
          await actor.send('victim-of-actor', 'run', die);
          return 'no error';
        } catch (err) {
          return (err as Error).name;
        }
      }),
      8000,
      'the request failed',
    );
    expect(outcome).to.equal('ActorExitedError');
  });
});
