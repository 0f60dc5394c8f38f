/**
 * What a spawned child loaded: whether Node's ES-module loader ran before
 * its actor was ready (no behaviour module), how its runtime was compiled,
 * and whether a behaviour module importing rxpulsar holds the very actor
 * and classes its child runs.
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawn } from '../../lib/index.js';

const module = fileURLToPath(new URL('../fixtures/actors/instances.js', import.meta.url));
const arbiterScript = fileURLToPath(
  new URL('../fixtures/actors/loads-arbiter.js', import.meta.url),
);

/** The answers of a `concurrency` child (the arbiter of the caller runs). */
export interface ChildLoads {
  /** Node's ES loader translated a module in the child (without a behaviour module). */
  esmLoaderUsed: boolean;
  /** A command sent by source ran its `import()`. */
  imported: boolean;
  /** From the behaviour module: `getActor()` of index and of a deep import, `instanceof`. */
  instances: Record<string, boolean>;
  /** How each runtime file's body was compiled (`runtime.cjs: 'accepted'`: lib/compileCache.cts), and RxJS's files (`rxjs`). */
  codeCache: Record<string, string | undefined>;
}

/** The child's answers: Node's list of its built-in modules and its CommonJS cache (not typed). */
function loads(): { esm: boolean; codeCache: Record<string, string | undefined> } {
  const { moduleLoadList, getBuiltinModule } = process as unknown as {
    moduleLoadList: string[];
    getBuiltinModule: (id: string) => {
      createRequire(from: string): { cache: Record<string, { codeCache?: string }> };
    };
  };
  const { cache } = getBuiltinModule('node:module').createRequire('/');
  const codeCache = Object.fromEntries(
    Object.entries(cache)
      .filter(([file]) => /\/runtime(-\w+)?\.cjs$/.test(file))
      .map(([file, m]) => [file.slice(file.lastIndexOf('/') + 1), m.codeCache]),
  );
  // RxJS's files, by lib/modulePack.ts (`node`: by Node's loader).
  const rxjs = Object.entries(cache).filter(([file]) => file.includes('/rxjs/'));
  codeCache['rxjs'] = [...new Set(rxjs.map(([, m]) => m.codeCache ?? 'node'))].join();
  return {
    esm: moduleLoadList.includes('NativeModule internal/modules/esm/translators'),
    codeCache,
  };
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
    commands: { loads, imports: async () => (await import('node:path')).sep.length > 0 },
  });
  const withModule = await spawn({ name: 'instances', concurrency, module });
  try {
    const { esm, codeCache } = (await bare.send('loads')) as ReturnType<typeof loads>;
    const imported = (await bare.send('imports')) as boolean;
    return {
      codeCache,
      esmLoaderUsed: esm,
      imported,
      instances: (await withModule.send('instances')) as Record<string, boolean>,
    };
  } finally {
    await Promise.all([bare.stop(), withModule.stop()]);
  }
}

/** This environment without V8 coverage (a child's runtime then runs by Node's loader). */
function withoutCoverage(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_V8_COVERAGE'];
  return env;
}

/**
 * {@link childLoads} from an arbiter of its own, a fresh node without
 * source maps (the specs run with them): the runtime as users run it.
 * @param concurrency - the kind of child.
 * @param env - added to its environment (`RXPULSAR_COMPILE_CACHE`).
 * @returns what they said.
 * @example
 * ```ts
 * expect((await childLoadsFresh('thread')).esmLoaderUsed).to.equal(false);
 * ```
 */
export function childLoadsFresh(
  concurrency: 'process' | 'thread',
  env: NodeJS.ProcessEnv = {},
): Promise<ChildLoads> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [arbiterScript, concurrency],
      { env: { ...withoutCoverage(), NODE_OPTIONS: '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${err.message}\n${stderr}`))
          : resolve(JSON.parse(stdout) as ChildLoads),
    );
  });
}
