/**
 * Unit specs of the Mailbox on a fake transport: two mailboxes wired to each
 * other in memory, no process, no socket.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import type { ActorMessage } from '../../../lib/actor/ActorMessage.js';
import { Mailbox } from '../../../lib/actor/Mailbox.js';
import type { Envelope } from '../../../lib/transport/protocol.js';
import { ActorExitedError, TimeoutError } from '../../../lib/errors.js';

/** Two mailboxes, `a` and `b`, whose envelopes are delivered on the next microtask. */
function pair(dispatch: (cmd: string, args: unknown[]) => unknown, timeout = 1000) {
  const sent: Envelope[] = [];
  const boxes: Record<string, Mailbox> = {};
  const transport = (env: Envelope): void => {
    sent.push(env);
    queueMicrotask(() => boxes[env.to]?.receive(env));
  };
  boxes['a'] = new Mailbox('a', transport, () => undefined, timeout);
  boxes['b'] = new Mailbox('b', transport, (req, args) => dispatch(req.cmd, args), timeout);
  return { a: boxes['a'], b: boxes['b'], sent };
}

/** A mailbox `a` whose requests go nowhere and that serves nothing. */
const deaf = (timeout: number): Mailbox =>
  new Mailbox(
    'a',
    () => undefined,
    () => undefined,
    timeout,
  );

describe('Mailbox', () => {
  describe('request()', () => {
    it('should number requests and resolve each with its reply', async () => {
      const { a, b, sent } = pair((cmd, args) =>
        cmd === 'add' ? (args as number[])[0]! + 1 : cmd,
      );
      const [one, two] = await Promise.all([
        a.request('b', 'add', [1]),
        a.request('b', 'add', [41]),
      ]);
      expect([one, two]).to.deep.equal([2, 42]);
      expect(sent.filter((e) => 'cmd' in e).map((e) => e.id)).to.deep.equal([1, 2]);
      expect(b.served).to.equal(2);
      a.close();
      b.close();
    });

    it('should match replies to requests with more in flight than its ring holds, a slow one among them', async () => {
      let release: (() => void) | undefined;
      const slow = new Promise<void>((resolve) => (release = resolve));
      const { a, b } = pair((cmd, args) =>
        cmd === 'slow' ? slow.then(() => 'late') : (args as number[])[0],
      );
      // The slow request keeps its slot while 600 more (ids 2-601) come and
      // go: ids 257 and 513 share its slot and wait in the overflow.
      const first = a.request('b', 'slow', []);
      const rest = Array.from({ length: 600 }, (_, i) => a.request('b', 'echo', [i]));
      expect(a.waiting).to.equal(601);
      expect(await Promise.all(rest)).to.deep.equal(Array.from({ length: 600 }, (_, i) => i));
      expect(a.waiting).to.equal(1);
      release?.();
      expect(await first).to.equal('late');
      expect(a.waiting).to.equal(0);
      a.close();
      b.close();
    });

    it('should fail every waiting request, in the order sent, when closed', async () => {
      const { a, b } = pair(() => new Promise(() => undefined));
      const order: number[] = [];
      const all = Array.from({ length: 300 }, (_, i) =>
        a.request('b', 'never', []).then(undefined, (err: unknown) => {
          expect(err).to.be.instanceOf(ActorExitedError);
          order.push(i);
        }),
      );
      a.close();
      await Promise.all(all);
      expect(order).to.deep.equal(Array.from({ length: 300 }, (_, i) => i));
      expect(a.waiting).to.equal(0);
      b.close();
    });

    it('should carry the error of a failing command with its class', async () => {
      const { a, b } = pair(() => {
        throw new RangeError('too far');
      });
      const err = await a.request('b', 'go', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(RangeError).with.property('message', 'too far');
      a.close();
      b.close();
    });

    it('should fail the message at once when an argument cannot travel', async () => {
      const { a, b, sent } = pair(() => 'never');
      const err = await a.request('b', 'go', [Symbol('x')]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.have.property('code', 'RXP_ERR_ENCODING');
      expect(sent).to.be.empty;
      a.close();
      b.close();
    });

    it('should fire at once and send no reply when ack is false', async () => {
      const { a, b, sent } = pair(() => 'ignored');
      const message = a.request('b', 'note', [], false);
      expect(message.called).to.equal(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent).to.have.length(1);
      expect(b.served).to.equal(1);
      a.close();
      b.close();
    });

    it('should time out a request with no reply, naming the command and target', () => {
      const clock = sinon.useFakeTimers();
      try {
        const a = deaf(300);
        const failed = sinon.spy();
        a.request('nobody', 'ping', []).addErrback(failed);
        clock.tick(250);
        expect(failed.called).to.equal(false);
        clock.tick(200);
        expect(failed.calledOnce).to.equal(true);
        const err = failed.firstCall.args[0] as Error;
        expect(err).to.be.instanceOf(TimeoutError);
        expect(err.message).to.contain('"ping"').and.contain('nobody');
        expect(a.waiting).to.equal(0);
        a.close();
      } finally {
        clock.restore();
      }
    });

    it('should time out, oldest first, only those past their deadline, with more in flight than its ring holds', () => {
      const clock = sinon.useFakeTimers();
      try {
        const a = deaf(300);
        const failed: number[] = [];
        const send = (n: number): ActorMessage[] =>
          Array.from({ length: n }, () => {
            const m = a.request('nobody', 'ping', []);
            m.addErrback((err: unknown) => {
              if (err instanceof TimeoutError) failed.push(m.id);
            });
            return m;
          });
        const first = send(600); // 256 in the ring, the rest overflow
        first[10]!.cancel(); // cancelled by its caller: no TimeoutError
        first[400]!.cancel();
        clock.tick(200);
        const second = send(600);
        clock.tick(150); // the first 600 are past their deadline, the others not
        const expected = first.map((m) => m.id).filter((_, i) => i !== 10 && i !== 400);
        expect(failed).to.deep.equal(expected);
        expect(a.waiting).to.equal(600);
        clock.tick(200);
        expect(failed.slice(expected.length)).to.deep.equal(second.map((m) => m.id));
        expect(a.waiting).to.equal(0);
        a.close();
      } finally {
        clock.restore();
      }
    });

    it('should stop its deadline timer when idle', () => {
      const clock = sinon.useFakeTimers();
      try {
        const a = deaf(100);
        a.request('x', 'ping', []).addErrback(() => undefined);
        expect(clock.countTimers()).to.equal(1);
        clock.tick(1000);
        expect(clock.countTimers()).to.equal(0);
        a.close();
      } finally {
        clock.restore();
      }
    });
  });

  describe('receive()', () => {
    it('should ignore a reply that comes after the deadline or for an unknown id', () => {
      const a = deaf(1000);
      expect(() => a.receive({ id: 99, from: 'b', to: 'a', ok: true, value: 1 })).to.not.throw();
      a.close();
    });
  });

  describe('fail()', () => {
    it('should fail only the requests sent to that target', async () => {
      const a = deaf(10_000);
      const toB = a.request('b', 'ping', []);
      const toC = a.request('c', 'ping', []);
      a.fail(new ActorExitedError('b exited'), 'b');
      const err = await toB.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ActorExitedError);
      expect(toC.called).to.equal(false);
      expect(a.waiting).to.equal(1);
      a.close();
      await toC.then(
        () => undefined,
        () => undefined,
      );
    });
  });

  describe('close()', () => {
    it('should fail every waiting request with ActorExitedError', async () => {
      const a = deaf(10_000);
      const waiting = a.request('b', 'ping', []);
      a.close();
      const err = await waiting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ActorExitedError);
    });
  });
});
