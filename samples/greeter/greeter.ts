// The behaviour of a greeter actor: a start hook and one command. Imported
// again by every process or thread that runs a greeter.
import type { Actor } from '../../lib/index.js';

export function start(actor: Actor): void {
  actor.extra['greeted'] = 0;
}

export const commands = {
  greet(actor: Actor, who: string): string {
    actor.extra['greeted'] = Number(actor.extra['greeted']) + 1;
    return `Hello ${who}, from ${actor.name} (${actor.concurrency} ${actor.aid})`;
  },
};
