import { expect } from 'chai';
import { errorReply, headerBound, isRequest, tokenFrame } from '../../../lib/transport/protocol.js';
import { WireWriter } from '../../../lib/transport/WireWriter.js';
import type { Request } from '../../../lib/transport/protocol.js';
import { ActorNotFoundError } from '../../../lib/errors.js';

const request: Request = { id: 1, from: 'a', to: 'b', cmd: 'ping', args: [], ack: true };

describe('protocol', () => {
  describe('headerBound()', () => {
    it("should bound a frame's header, whatever the slots and the id", () => {
      const writer = new WireWriter();
      for (let id = 1; id < 1e15; id *= 7) {
        const frame = writer
          .encode({ ...request, id })
          .split('\f')
          .at(-2)!;
        expect(frame.length - '[]'.length).to.be.at.most(headerBound(request));
      }
    });

    it('should count a name too long for a slot as the JSON string it is written as', () => {
      const long = { ...request, to: 'b'.repeat(300) };
      expect(headerBound(long) - headerBound(request)).to.equal(300 + 2 - 3);
    });
  });

  describe('tokenFrame()', () => {
    it('should write a token frame, the token as a JSON string', () => {
      expect(tokenFrame('ab12')).to.equal('t"ab12"\f');
    });
  });

  describe('isRequest()', () => {
    it('should tell requests from replies', () => {
      expect(isRequest(request)).to.equal(true);
      expect(isRequest({ id: 1, from: 'b', to: 'a', ok: true })).to.equal(false);
    });
  });

  describe('errorReply()', () => {
    it('should answer on behalf of the target with the serialized error', () => {
      const reply = errorReply(request, new ActorNotFoundError('no b'));
      expect(reply).to.include({ id: 1, from: 'b', to: 'a', ok: false });
      expect(reply).to.have.nested.property('error.code', 'RXP_ERR_ACTOR_NOT_FOUND');
    });
  });
});
