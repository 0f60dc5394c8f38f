/**
 * node-ipc, through its CommonJS entry (`node-ipc.cjs`, the same release
 * bundled into one file). Its ES-module entry makes Node analyse three
 * CommonJS dependencies for named exports, about 20 ms of the arbiter's
 * start; the bundle loads in a few. Only the hub's server uses it: an
 * actor's `HubClient` is a plain socket.
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** An instance of node-ipc. */
export type IPCModule = import('node-ipc').IPCModule;

/**
 * node-ipc's `IPCModule` class, loaded on the first call: loading node-ipc
 * takes ~10 ms (it loads `tls`, `crypto` and `os`), which
 * `import 'rxpulsar'` (in a child whose behaviour imports it, too) no
 * longer pays; the arbiter's hub loads it when it is made.
 * @returns the class.
 * @example
 * ```ts
 * const ipc = new (nodeIpc())();
 * ```
 */
export function nodeIpc(): typeof import('node-ipc').IPCModule {
  return (require('node-ipc') as typeof import('node-ipc')).IPCModule;
}
