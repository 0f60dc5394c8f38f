import { expect } from 'chai';
import {
  FRAME_OVERHEAD,
  frameOf,
  errorReply,
  invalidEnvelope,
  isRequest,
} from '../../../lib/transport/protocol.js';
import type { Request } from '../../../lib/transport/protocol.js';
import { ActorNotFoundError } from '../../../lib/errors.js';

const request: Request = { id: 1, from: 'a', to: 'b', cmd: 'ping', args: [], ack: true };

describe('protocol', () => {
  describe('frameOf()', () => {
    it("should write node-ipc's own frame format, FRAME_OVERHEAD around the envelopes", () => {
      const parts = [JSON.stringify(request), JSON.stringify(request)];
      const frame = frameOf(parts, '\f');
      expect(frame.endsWith('\f')).to.equal(true);
      expect(JSON.parse(frame.slice(0, -1))).to.deep.equal({ type: 'm', data: [request, request] });
      expect(frame.length - 1).to.equal(FRAME_OVERHEAD + parts[0]!.length * 2 + 1);
    });
  });

  describe('isRequest()', () => {
    it('should tell requests from replies', () => {
      expect(isRequest(request)).to.equal(true);
      expect(isRequest({ id: 1, from: 'b', to: 'a', ok: true })).to.equal(false);
    });
  });

  describe('invalidEnvelope()', () => {
    for (const [value, reason] of [
      [null, 'not an object'],
      [[1], 'not an object'],
      [{ from: 'a', to: 'b' }, 'numeric id'],
      [{ id: 1, to: 'b' }, 'from/to'],
      [{ id: 1, from: 'a', to: 'b', cmd: 3 }, 'non-string cmd'],
      [{ id: 1, from: 'a', to: 'b', cmd: 'x', args: {} }, 'args array'],
      [{ id: 1, from: 'a', to: 'b', cmd: 'x', args: [] }, 'ack flag'],
      [{ id: 1, from: 'a', to: 'b' }, 'neither a request nor a reply'],
      [{ id: 1, from: 'a', to: 'b', ok: false }, 'without an error'],
    ] as const) {
      it(`should refuse ${JSON.stringify(value)} (${reason})`, () => {
        expect(invalidEnvelope(value)).to.contain(reason);
      });
    }

    it('should accept a request and a reply', () => {
      expect(invalidEnvelope(request)).to.equal(undefined);
      expect(invalidEnvelope({ id: 1, from: 'b', to: 'a', ok: true, value: 1 })).to.equal(
        undefined,
      );
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
