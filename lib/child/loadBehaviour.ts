/**
 * Hooks and commands of a spawned actor: from its `module` (imported in the
 * child, so it may import anything) and from functions sent by source.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from '../codec/decode.js';
import type { Actor } from '../actor/Actor.js';
import type { ActorHooks, CommandHandler } from '../actor/types.js';

/** Hooks and commands, ready to give an actor. */
export interface Behaviour {
  hooks: ActorHooks<Actor>;
  commands: Record<string, CommandHandler>;
}

const HOOKS = ['start', 'stopping', 'periodicTask', 'onInfo', 'onParams'] as const;

const require = createRequire(import.meta.url);
const FLAGS = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
/** Flags that install ES-module loader hooks: a module is then loaded by `import()`, which runs them. */
const HOOKED = /(?:^|\s)(?:--import|--loader|--experimental-loader)(?:[\s=]|$)/.test(FLAGS);
/** A preload (`-r`, `--require`) may register ES-module hooks too (`module.register()`). */
const PRELOADED = /(?:^|\s)(?:-r|--require)(?:[\s=]|$)/.test(FLAGS);
/** What `require` loads as JavaScript of its own (anything else: a hook's, or `import()`'s error). */
const PLAIN = new Set(['.js', '.mjs', '.cjs']);

/**
 * Whether `path` may load by `require`: a JavaScript file that exists
 * (else `import()` tells the error as before: `ERR_MODULE_NOT_FOUND`,
 * `ERR_UNKNOWN_FILE_EXTENSION`), with no ES-module hook installed by a flag
 * (a preload's: only for an extension a CommonJS hook registered, e.g.
 * `-r tsx/cjs` for `.ts`).
 * @param path - the module's file.
 * @returns whether `require` loads it.
 */
function requirable(path: string): boolean {
  if (HOOKED) return false;
  const ext = extname(path);
  const hookedExt = !PLAIN.has(ext) && ext !== '.json' && ext in require.extensions;
  if (PRELOADED ? !hookedExt : !PLAIN.has(ext) && !hookedExt) return false;
  return existsSync(path);
}

/**
 * A behaviour module's exports: a file by `require` (an ES module too, Node
 * >= 20.19), which does not start Node's asynchronous ES-module loader (~4 ms
 * of a cold child's start: docs/choices.md, "Cold spawn: a CommonJS
 * child"); by `import()` one with top-level await, another URL (a query, a
 * hash, not a file), a file that is missing or not JavaScript, or when a
 * flag installed loader hooks.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  const { protocol, search, hash } = new URL(url);
  if (protocol === 'file:' && search === '' && hash === '' && requirable(fileURLToPath(url))) {
    try {
      return require(fileURLToPath(url)) as Record<string, unknown>;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM') throw err;
    }
  }
  return (await import(url)) as Record<string, unknown>;
}

function pick(source: Record<string, unknown>): Behaviour {
  const hooks: Record<string, unknown> = {};
  for (const name of HOOKS) if (typeof source[name] === 'function') hooks[name] = source[name];
  const commands = source['commands'];
  return {
    hooks: hooks,
    commands:
      typeof commands === 'object' && commands !== null
        ? (commands as Record<string, CommandHandler>)
        : {},
  };
}

/**
 * Load a behaviour: the module's exports first (named, or a default export
 * object), then functions given inline, which win on a clash.
 *
 * @param moduleUrl - file URL of the behaviour module, if any.
 * @param encoded - the encoded `{ hooks, commands }` of the spawn parameters.
 * @returns the hooks and commands.
 * @example
 * ```ts
 * const { hooks, commands } = await loadBehaviour(data.module, data.behaviour);
 * ```
 */
export async function loadBehaviour(
  moduleUrl: string | undefined,
  encoded: unknown,
): Promise<Behaviour> {
  let fromModule: Behaviour = { hooks: {}, commands: {} };
  if (moduleUrl !== undefined) {
    const mod = await importModule(moduleUrl);
    const dflt = mod['default'];
    fromModule = pick(typeof dflt === 'object' && dflt !== null ? { ...mod, ...dflt } : mod);
  }
  const inline = pick((decode(encoded) ?? {}) as Record<string, unknown>);
  return {
    hooks: { ...fromModule.hooks, ...inline.hooks },
    commands: { ...fromModule.commands, ...inline.commands },
  };
}
