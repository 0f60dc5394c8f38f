import { expect } from 'chai';
import { Outbox } from '../../lib/transport/Outbox.js';
import { MessageTooLargeError, type Envelope } from '../../lib/index.js';
import { wireReader } from '../support/wire.js';

const env = (id: number): Envelope => ({
  id,
  from: 'a',
  to: 'b',
  cmd: 'ping',
  args: [],
  ack: true,
});

/** A flush that records each batch (one write), read back. */
const collect = (batches: Envelope[][]): ((text: string) => void) => {
  const read = wireReader();
  return (text) => {
    batches.push(read(text));
  };
};

describe('Outbox', () => {
  describe('push()', () => {
    it('should send the envelopes of one tick as one batch', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches), { maxBatch: 1000 });
      for (let i = 1; i <= 100; i++) outbox.push(env(i));
      expect(batches).to.have.length(0);
      await Promise.resolve();
      expect(batches).to.have.length(1);
      expect(batches[0]!.map((e) => e.id)).to.deep.equal([...Array(100).keys()].map((i) => i + 1));
    });

    it('should include envelopes pushed by microtasks of the same tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches));
      outbox.push(env(1));
      queueMicrotask(() => outbox.push(env(2)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches.flat().map((e) => e.id)).to.deep.equal([1, 2]);
    });

    it('should start a new batch on the next tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches));
      outbox.push(env(1));
      await new Promise((resolve) => setImmediate(resolve));
      outbox.push(env(2));
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches.map((b) => b.map((e) => e.id))).to.deep.equal([[1], [2]]);
    });
  });

  describe('maxBatch', () => {
    it('should send a batch at once when it is full, and the rest at the end of the tick', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches), { maxBatch: 32 });
      for (let i = 1; i <= 70; i++) outbox.push(env(i));
      expect(batches.map((b) => b.length)).to.deep.equal([32, 32]);
      await Promise.resolve();
      expect(batches.map((b) => b.length)).to.deep.equal([32, 32, 6]);
      expect(batches.flat().map((e) => e.id)).to.deep.equal(
        [...Array(70).keys()].map((i) => i + 1),
      );
    });
  });

  describe('maxSize', () => {
    const big = (id: number, chars: number): Envelope => ({
      id,
      from: 'a',
      to: 'b',
      ok: true,
      value: 'x'.repeat(chars),
    });

    it('should write every envelope as a frame of its own, none over maxSize', async () => {
      const writes: string[] = [];
      const outbox = new Outbox((text) => writes.push(text), { maxSize: 1000 });
      for (let i = 1; i <= 10; i++) outbox.push(big(i, 300));
      await Promise.resolve();
      expect(writes).to.have.length(1);
      const frames = writes[0]!.split('\f').slice(0, -1);
      for (const frame of frames) expect(frame.length).to.be.at.most(1000);
      expect(wireReader()(writes[0]!).map((e) => e.id)).to.deep.equal([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
    });

    it('should refuse an envelope over maxSize alone, and send the others', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches), { maxSize: 1000 });
      outbox.push(env(1));
      expect(() => outbox.push(big(2, 2000))).to.throw(
        MessageTooLargeError,
        /maxMessageSize \(1000\)/,
      );
      outbox.push(env(3));
      await Promise.resolve();
      expect(batches.flat().map((e) => e.id)).to.deep.equal([1, 3]);
    });
  });

  describe('clear()', () => {
    it('should define the slots again after a write that was dropped', async () => {
      const writes: string[] = [];
      const outbox = new Outbox((text) => writes.push(text));
      outbox.push(env(1));
      await Promise.resolve();
      outbox.clear(); // say the write above never reached the peer
      outbox.push(env(2));
      await Promise.resolve();
      expect(wireReader()(writes[1]!).map((e) => e.id)).to.deep.equal([2]);
    });

    it('should drop what waits', async () => {
      const batches: Envelope[][] = [];
      const outbox = new Outbox(collect(batches));
      outbox.push(env(1));
      outbox.clear();
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches).to.deep.equal([]);
    });
  });
});
