import { expect } from 'chai';
import { checkEnvelopeSize, jsonSize } from '../../lib/transport/envelopeSize.js';
import type { Envelope } from '../../lib/transport/protocol.js';
import { WireWriter } from '../../lib/transport/WireWriter.js';
import { MessageTooLargeError } from '../../lib/errors.js';

const samples: Envelope[] = [
  { id: 12, from: 'abc', to: 'de', cmd: 'echo', args: ['x', { a: 1, b: [true, null] }], ack: true },
  { id: 1, from: 'a', to: 'b', cmd: 'notify', args: [], ack: false },
  { id: 3, from: 'a', to: 'b', ok: true, value: 'xx' },
  { id: 3, from: 'a', to: 'b', ok: true },
  { id: 40, from: 'a', to: 'b', ok: false, error: { name: 'E', message: 'm', data: { n: -1.5 } } },
];

describe('envelopeSize', () => {
  describe('jsonSize()', () => {
    it('should measure a tree as JSON.stringify would', () => {
      for (const value of [[], {}, [1, 'ab', null], { a: { b: [false, 2.25e-7] } }, 'q', -0.5]) {
        expect(jsonSize(value), JSON.stringify(value)).to.equal(JSON.stringify(value).length);
      }
    });
  });

  describe('checkEnvelopeSize()', () => {
    it("should refuse exactly the envelopes a socket's WireWriter refuses", () => {
      for (const env of [
        ...samples,
        { id: 9, from: 'a', to: 'b', cmd: 'echo', args: ['raw'], ack: true },
      ]) {
        let refused = '';
        try {
          new WireWriter(1).encode(env);
        } catch (err) {
          refused = String(err);
        }
        const frame = Number(/makes a frame of (\d+) characters/.exec(refused)?.[1]);
        expect(frame).to.be.greaterThan(0);
        expect(() => new WireWriter(frame).encode(env)).not.to.throw();
        expect(() => checkEnvelopeSize(env, frame)).not.to.throw();
        expect(() => checkEnvelopeSize(env, frame - 1)).to.throw(
          MessageTooLargeError,
          `of ${frame} characters, over maxMessageSize (${frame - 1})`,
        );
      }
    });
  });
});
