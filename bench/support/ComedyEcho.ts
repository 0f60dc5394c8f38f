/**
 * The comedy baseline: an echo actor of comedy (npm `comedy`, the actor
 * framework rxpulsar is compared with) in forked mode, a child process
 * reached over Node's IPC channel, asked with `sendAndReceive()`. comedy is
 * loaded only here (it is CommonJS, and brings babel-polyfill: checked not
 * to replace Promise, Map or any global of Node 20).
 * @module
 */
import { createRequire } from 'node:module';
import type * as Comedy from 'comedy';

/** The actor comedy forks: its source is sent to the child and evaluated there. */
class ComedyEchoActor {
  echo(payload: unknown): unknown {
    return payload;
  }
}

/**
 * A forked comedy echo actor.
 *
 * @example
 * ```ts
 * const echo = await ComedyEcho.start();
 * await echo.request('hi'); // 'hi'
 * await echo.close();
 * ```
 */
export class ComedyEcho {
  private constructor(
    private readonly system: Comedy.ActorSystem,
    private readonly actor: Comedy.ActorRef,
  ) {}

  /** Start an actor system and fork its echo actor. */
  static async start(): Promise<ComedyEcho> {
    const require = createRequire(import.meta.url);
    const comedy = require('comedy') as typeof Comedy;
    // test: no log lines and no actors.json looked for; nothing else changes.
    const system = comedy.createSystem({ test: true });
    try {
      const root = await system.rootActor();
      const actor = await root.createChild(ComedyEchoActor, { mode: 'forked' });
      return new ComedyEcho(system, actor);
    } catch (err) {
      await system.destroy();
      throw err;
    }
  }

  /** @param payload - echoed back by the forked actor. */
  readonly request = (payload: unknown): Promise<unknown> =>
    this.actor.sendAndReceive('echo', payload) as Promise<unknown>;

  /** Destroy the system and its forked actor. */
  async close(): Promise<void> {
    await this.system.destroy();
  }
}
