import { expect } from 'chai';
import { flowOf, pack, unpack, type WireState } from '../../lib/transport/portWire.js';
import { TRANSFER, type Envelope } from '../../lib/transport/protocol.js';

describe('portWire', () => {
  describe('unpack()', () => {
    it('should give back the envelopes pack() was given', () => {
      const batch: Envelope[] = [
        { id: 1, from: 'a', to: 'b', cmd: 'echo', args: [{ x: [1] }], ack: true },
        { id: 2, from: 'a', to: 'b', cmd: 'notify', args: [], ack: false },
        { id: 1, from: 'b', to: 'a', ok: true, value: { x: [1] } },
        { id: 3, from: 'b', to: 'a', ok: true, value: undefined },
        { id: 4, from: 'b', to: 'a', ok: false, error: { name: 'E', message: 'm' } },
      ];
      const packed = pack(batch);
      expect(packed).to.have.length(30 + 2);
      expect(unpack(structuredClone(packed))).to.deep.equal(batch);
    });

    it('should mark the envelopes that carry bytes (binary mode), and only those', () => {
      const bytes = new ArrayBuffer(4);
      const binary: Envelope = {
        id: 5,
        from: 'a',
        to: 'b',
        ok: true,
        value: { $rxp: 'arraybuffer', v: bytes },
      };
      binary[TRANSFER] = [bytes];
      const plain: Envelope = { id: 6, from: 'a', to: 'b', ok: true, value: 1 };
      const packed = pack([plain, binary]);
      expect(packed).to.have.length(12 + 1 + 2);
      const [first, second] = unpack(structuredClone(packed, { transfer: [bytes] }));
      expect(first?.[TRANSFER]).to.equal(undefined);
      expect(second?.[TRANSFER]).to.deep.equal([]);
      expect((second as { value: { v: unknown } }).value.v).to.be.instanceOf(ArrayBuffer);
    });

    it('should carry the flow control of the batch (its size, what its sender read), binary or not', () => {
      const env: Envelope = { id: 6, from: 'a', to: 'b', ok: true, value: 1 };
      expect(flowOf(structuredClone(pack([env], {}, { size: 40, read: 7 })))).to.deep.equal({
        size: 40,
        read: 7,
      });
      const bytes = new ArrayBuffer(4);
      const binary: Envelope = { ...env, value: { $rxp: 'arraybuffer', v: bytes } };
      binary[TRANSFER] = [bytes];
      const packed = pack([binary], {}, { size: 9, read: 3 });
      expect(flowOf(packed)).to.deep.equal({ size: 9, read: 3 });
      expect(unpack(packed)[0]?.[TRANSFER]).to.deep.equal([]);
      expect(flowOf(pack([]))).to.deep.equal({ size: 0, read: 0 });
    });

    it('should leave out a from or to equal to the last one on the port, and restore it', () => {
      const sent: WireState = {};
      const received: WireState = {};
      const first: Envelope[] = [
        { id: 1, from: 'a', to: 'b', cmd: 'echo', args: [1], ack: true },
        { id: 2, from: 'a', to: 'c', cmd: 'echo', args: [2], ack: true },
      ];
      const second: Envelope[] = [{ id: 3, from: 'a', to: 'c', cmd: 'echo', args: [3], ack: true }];
      const packedFirst = pack(first, sent);
      const packedSecond = pack(second, sent);
      expect(packedFirst.slice(6, 9)).to.deep.equal([2, undefined, 'c']);
      expect(packedSecond.slice(0, 3)).to.deep.equal([3, undefined, undefined]);
      expect(unpack(structuredClone(packedFirst), received)).to.deep.equal(first);
      expect(unpack(structuredClone(packedSecond), received)).to.deep.equal(second);
    });
  });
});
