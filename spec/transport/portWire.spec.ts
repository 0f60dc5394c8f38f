import { expect } from 'chai';
import { pack, unpack } from '../../lib/transport/portWire.js';
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
      expect(packed).to.have.length(30);
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
      expect(packed).to.have.length(13);
      const [first, second] = unpack(structuredClone(packed, { transfer: [bytes] }));
      expect(first?.[TRANSFER]).to.equal(undefined);
      expect(second?.[TRANSFER]).to.deep.equal([]);
      expect((second as { value: { v: unknown } }).value.v).to.be.instanceOf(ArrayBuffer);
    });
  });
});
