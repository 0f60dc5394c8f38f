/**
 * What a spawned child loaded: whether Node's ES-module loader ran before
 * its actor was ready (no behaviour module), and whether a behaviour module
 * importing rxpulsar holds the very actor and classes its child runs.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { spawn } from '../../lib/index.js';

const module = fileURLToPath(new URL('../fixtures/actors/instances.js', import.meta.url));

/** The answers of a `concurrency` child (the arbiter of the caller runs). */
export interface ChildLoads {
  /** Node's ES loader translated a module in the child (without a behaviour module). */
  esmLoaderUsed: boolean;
  /** From the behaviour module: `getActor()` of index and of a deep import, `instanceof`. */
  instances: Record<string, boolean>;
}

/**
 * Spawn two actors of `concurrency` and ask them.
 * @param concurrency - the kind of child.
 * @returns what they said.
 * @example
 * ```ts
 * expect((await childLoads('thread')).esmLoaderUsed).to.equal(false);
 * ```
 */
export async function childLoads(concurrency: 'process' | 'thread'): Promise<ChildLoads> {
  const bare = await spawn({
    name: 'loads',
    concurrency,
    commands: {
      // Node's list of the built-in modules it loaded (not typed).
      esm: () =>
        (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes(
          'NativeModule internal/modules/esm/translators',
        ),
    },
  });
  const withModule = await spawn({ name: 'instances', concurrency, module });
  try {
    return {
      esmLoaderUsed: (await bare.send('esm')) as boolean,
      instances: (await withModule.send('instances')) as Record<string, boolean>,
    };
  } finally {
    await Promise.all([bare.stop(), withModule.stop()]);
  }
}
