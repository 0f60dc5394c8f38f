/**
 * Unit specs of the built-in commands and of an actor without a transport:
 * no process, no socket.
 */
import { expect } from 'chai';
import { Actor, type ActorOptions } from '../../../lib/actor/Actor.js';
import { builtinCommands } from '../../../lib/actor/commands.js';
import { DEFAULT_TIMEOUTS } from '../../../lib/actor/types.js';
import type { Envelope } from '../../../lib/transport/protocol.js';
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

  describe('tell()', () => {
    /** An actor whose envelopes go to its peer on the next microtask, and are kept. */
    class WiredActor extends Actor {
      peer: WiredActor | undefined;
      readonly out: Envelope[] = [];
      constructor(options: Omit<ActorOptions, 'concurrency' | 'cfg'>) {
        super({ ...options, concurrency: 'arbiter', cfg: { ...DEFAULT_TIMEOUTS } });
      }
      protected override deliver(env: Envelope): void {
        this.out.push(env);
        queueMicrotask(() => this.peer?.receive(env));
      }
      closeMailbox(): void {
        this.mailbox.close();
      }
    }
    function wired(): { a: WiredActor; b: WiredActor } {
      const a = new WiredActor({ aid: 'wa', name: 'a' });
      const b = new WiredActor({ aid: 'wb', name: 'b' });
      a.peer = b;
      b.peer = a;
      return { a, b };
    }
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    it('should send with ack: false and get no reply, whatever the command', async () => {
      const { a, b } = wired();
      let seen: unknown;
      b.command('note', (_b, x: unknown) => (seen = x));
      expect(await a.tell('wb', 'note', 42)).to.equal(undefined);
      await settle();
      expect(seen).to.equal(42);
      expect(a.out).to.have.length(1);
      expect(a.out[0]).to.include({ cmd: 'note', ack: false });
      expect(b.out, 'no reply').to.deep.equal([]);
      a.closeMailbox();
      b.closeMailbox();
    });

    it('should leave send() of notify a request that waits for its (empty) reply', async () => {
      const { a, b } = wired();
      const reply = a.send('wb', 'notify', { aid: 'wa' });
      expect(a.out[0]).to.include({ cmd: 'notify', ack: true });
      expect(await reply).to.equal(undefined);
      expect(b.out, 'the reply').to.have.length(1);
      a.closeMailbox();
      b.closeMailbox();
    });
  });
});
