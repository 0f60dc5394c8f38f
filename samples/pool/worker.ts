// The behaviour of a pool worker: one command that takes a while.
import type { Actor } from '../../lib/index.js';

export const commands = {
  work: (actor: Actor, ms: number) =>
    new Promise((resolve) => setTimeout(resolve, ms, `done by ${actor.aid}`)),
};
