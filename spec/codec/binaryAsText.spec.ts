import { expect } from 'chai';
import { binaryAsText } from '../../lib/codec/binaryAsText.js';
import { decode } from '../../lib/codec/decode.js';
import { encode } from '../../lib/codec/encode.js';

/** Values with bytes in every place a tree can hold them. */
const sample = (): unknown => ({
  buffer: Buffer.from('hello'),
  floats: new Float64Array([1.5, -2]),
  view: new DataView(new Uint8Array([9, 8, 7]).buffer),
  raw: new Uint8Array([1, 2, 3]).buffer,
  nested: [new Map([['k', Buffer.from([255])]]), new Set([new Int16Array([-1])])],
  text: 'plain',
});

describe('binaryAsText', () => {
  describe('binaryAsText()', () => {
    it('should make a binary-mode tree what encode() makes without it', () => {
      const transfer: ArrayBuffer[] = [];
      const tree = encode(sample(), { transfer });
      expect(transfer).to.have.length(6);
      expect(binaryAsText(tree)).to.deep.equal(encode(sample()));
    });
  });

  describe('binary mode (encode with transfer)', () => {
    it('should round-trip through a structured clone that transfers the copies', () => {
      const value = sample();
      const transfer: ArrayBuffer[] = [];
      const tree = encode(value, { transfer });
      const cloned = structuredClone(tree, { transfer });
      expect(decode(cloned)).to.deep.equal(value);
      // The sender's bytes are copies' sources, not transferred: still readable.
      expect((value as { buffer: Buffer }).buffer.toString()).to.equal('hello');
      expect(transfer.every((buffer) => buffer.byteLength === 0)).to.equal(true);
    });

    it('should copy only the bytes a view sees', () => {
      const whole = Buffer.from([0, 1, 2, 3, 4, 5]);
      const transfer: ArrayBuffer[] = [];
      encode(whole.subarray(2, 4), { transfer });
      expect(transfer.map((buffer) => [...new Uint8Array(buffer)])).to.deep.equal([[2, 3]]);
    });
  });
});
