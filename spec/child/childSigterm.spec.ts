import { expect } from 'chai';
import { arbiter, spawn, type ActorExit, type Arbiter } from '../../lib/index.js';
import { within } from '../support/waiting.js';

describe('handleSigterm', () => {
  let a: Arbiter;

  before(async () => {
    a = arbiter({ signals: false });
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  it('should stop a process actor gracefully on SIGTERM (its stopping hook runs, exit 0)', async () => {
    const proxy = await spawn({
      name: 'sigterm-graceful',
      concurrency: 'process',
      stopping: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
    const exit = new Promise<ActorExit>((resolve) => {
      const sub = a.events.actorExited$.subscribe((e) => {
        if (e.aid === proxy.aid) {
          sub.unsubscribe();
          resolve(e);
        }
      });
    });
    process.kill(proxy.pid!, 'SIGTERM');
    const { exitCode, signal } = await within(exit, 10_000, 'the actor did not exit');
    expect({ exitCode, signal }).to.deep.equal({ exitCode: 0, signal: null });
  });
});
