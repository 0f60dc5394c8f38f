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

export const { IPCModule } = require('node-ipc') as typeof import('node-ipc');
export type IPCModule = import('node-ipc').IPCModule;
