/**
 * The child side of `spawn()`: turn this process or thread into an actor.
 * @module
 */
import { decode } from '../codec/decode.js';
import type { ChildData } from './ChildData.js';
import { ChildActor } from './ChildActor.js';
import { handleSigterm } from './childSigterm.js';
import { setActor, setSpawnContext } from '../actor/current.js';
import { loadBehaviour } from './loadBehaviour.js';
import type { ActorTimeouts } from '../actor/types.js';

/**
 * Become the actor described by `data`, run until it stops, then exit.
 *
 * @param data - what the arbiter handed this child.
 * @param onRunning - called once the actor runs (its handshake sent).
 * @returns a promise fired when the actor has stopped.
 * @example
 * ```ts
 * await runChild(JSON.parse(process.env.RXPULSAR_ACTOR!));
 * ```
 */
export async function runChild(data: ChildData, onRunning?: () => void): Promise<void> {
  const cfg = decode(data.cfg) as ActorTimeouts & Record<string, unknown>;
  setSpawnContext({ aid: data.aid, name: data.name, cfg });
  let behaviour;
  try {
    behaviour = await loadBehaviour(data.module, data.behaviour);
  } catch (err) {
    // Without a behaviour there is no actor: report through the handshake.
    behaviour = {
      hooks: {
        start: () => {
          throw err;
        },
      },
      commands: {},
    };
  }
  const actor = new ChildActor(
    {
      aid: data.aid,
      name: data.name,
      concurrency: data.concurrency,
      cfg,
      hooks: behaviour.hooks,
      commands: behaviour.commands,
    },
    data,
  );
  setActor(actor);
  const release = data.concurrency === 'process' ? handleSigterm(actor) : undefined;
  const stopped = new Promise<void>((resolve) => {
    actor.events.stopped$.subscribe({ complete: resolve });
  });
  await actor.run();
  onRunning?.();
  await stopped;
  release?.();
  setActor(undefined);
}
