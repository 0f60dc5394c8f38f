/**
 * Unit specs of the built-in commands and of an actor without a transport:
 * no process, no socket.
 */
import { expect } from 'chai';
import { Actor } from '../../../lib/actor/Actor.js';
import { builtinCommands } from '../../../lib/actor/commands.js';
import { DEFAULT_TIMEOUTS } from '../../../lib/actor/types.js';
import { ImproperlyConfiguredError, InvalidStateError } from '../../../lib/errors.js';

function bareActor(): Actor {
  return new Actor({
    aid: 'u1',
    name: 'bare',
    concurrency: 'arbiter',
    cfg: { ...DEFAULT_TIMEOUTS },
  });
}

describe('builtinCommands', () => {
  describe('run', () => {
    it('should run the function with the actor first', () => {
      const actor = bareActor();
      const run = builtinCommands['run']!;
      expect(run(actor, (a: Actor, x: string) => a.name + x, '!')).to.equal('bare!');
    });

    it('should refuse anything but a function with ImproperlyConfiguredError', () => {
      const run = builtinCommands['run']!;
      expect(() => run(bareActor(), 'not a function')).to.throw(
        ImproperlyConfiguredError,
        'run needs a function as first argument',
      );
    });
  });
});

describe('Actor', () => {
  describe('send()', () => {
    it('should fail with InvalidStateError when the actor has no transport', async () => {
      const err = await bareActor()
        .send('elsewhere', 'ping')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err)
        .to.be.instanceOf(InvalidStateError)
        .with.property('message', 'Actor has no transport');
    });
  });
});
