/**
 * maxMessageSize holds both ways, and an oversized message fails only its
 * own call, at its sender, with MessageTooLargeError: the connection and
 * the actor live on.
 */
import { expect } from 'chai';
import { arbiter, MessageTooLargeError, send, spawn } from '../../../lib/index.js';
import type { Actor, ActorProxy, Arbiter } from '../../../lib/index.js';
import { rejection } from '../../support/waiting.js';

const MAX = 64 * 1024;

describe('Hub', () => {
  describe('maxMessageSize', function () {
    this.timeout(30_000);
    let a: Arbiter;
    const actors: ActorProxy[] = [];

    before(async () => {
      a = arbiter({ maxMessageSize: MAX });
      await a.start();
      const commands = { big: (_actor: Actor, n: number) => 'x'.repeat(n) };
      actors.push(
        ...(await Promise.all([
          spawn({ name: 'sizes-process', concurrency: 'process', commands }),
          spawn({ name: 'sizes-thread', concurrency: 'thread', commands }),
        ])),
      );
    });

    after(async () => {
      await a.stop();
    });

    for (const kind of ['process', 'thread'] as const) {
      const actor = (): ActorProxy => actors[kind === 'process' ? 0 : 1]!;

      describe(`a ${kind} actor`, () => {
        it('should fail a reply over the limit with MessageTooLargeError, and live on', async () => {
          const err = await rejection(send(actor(), 'big', 2 * MAX));
          expect(err).to.be.instanceOf(MessageTooLargeError);
          expect(String(err)).to.match(/maxMessageSize \(65536\)/);
          expect(await send(actor(), 'ping')).to.equal('pong');
          expect(await send(actor(), 'big', 10)).to.equal('x'.repeat(10));
        });

        it('should never merge replies into a batch over the limit', async () => {
          const replies = await Promise.all(
            Array.from({ length: 12 }, () => send(actor(), 'big', MAX / 4)),
          );
          expect(replies.map((r) => (r as string).length)).to.deep.equal(Array(12).fill(MAX / 4));
        });

        it('should fail a request over the limit at the arbiter, before it is sent', async () => {
          const err = await rejection(send(actor(), 'echo', 'y'.repeat(2 * MAX)));
          expect(err).to.be.instanceOf(MessageTooLargeError);
          expect(await send(actor(), 'echo', 'small')).to.equal('small');
        });

        it('should fail a request over the limit at the actor that sends it', async () => {
          const outcome = await send(
            actor(),
            'run',
            (self: Actor, n: number) =>
              self.send('arbiter', 'echo', 'z'.repeat(n)).then(
                () => 'sent',
                (err: unknown) => (err as Error).name,
              ),
            2 * MAX,
          );
          expect(outcome).to.equal('MessageTooLargeError');
          expect(await send(actor(), 'ping')).to.equal('pong');
        });
      });
    }
  });
});
