import { expect } from 'chai';
import {
  hello,
  helloProblem,
  proof,
  PROTOCOL_VERSION,
  verifyProof,
} from '../../lib/transport/peerAuth.js';

const secret = 'correct horse battery staple';

describe('peerAuth', () => {
  describe('hello()', () => {
    it('should carry the protocol version and a fresh 32-byte nonce', () => {
      const [a, b] = [hello(), hello()];
      expect(a).to.include({ proto: 'rxpulsar', version: PROTOCOL_VERSION });
      expect(a.nonce).to.match(/^[0-9a-f]{64}$/);
      expect(a.nonce).to.not.equal(b.nonce);
    });
  });

  describe('helloProblem()', () => {
    it('should accept a hello of this version', () => {
      expect(helloProblem(hello())).to.equal(undefined);
    });

    it('should name a version mismatch', () => {
      expect(helloProblem({ ...hello(), version: PROTOCOL_VERSION + 1 })).to.contain(
        `protocol version ${PROTOCOL_VERSION + 1} is not ${PROTOCOL_VERSION}`,
      );
    });

    for (const value of [
      null,
      'GET / HTTP/1.1',
      { proto: 'other' },
      { ...hello(), nonce: 'short' },
    ]) {
      it(`should refuse ${JSON.stringify(value)}`, () => {
        expect(helloProblem(value)).to.be.a('string');
      });
    }
  });

  describe('verifyProof()', () => {
    const hub = hello();
    const peer = hello();

    it('should accept the proof made with the secret for these nonces', () => {
      const made = proof(secret, 'peer', peer.nonce, hub.nonce);
      expect(verifyProof(secret, 'peer', peer.nonce, hub.nonce, made)).to.equal(true);
    });

    it('should refuse a proof made with another secret', () => {
      const made = proof('guess', 'peer', peer.nonce, hub.nonce);
      expect(verifyProof(secret, 'peer', peer.nonce, hub.nonce, made)).to.equal(false);
    });

    it('should refuse a proof replayed against a fresh nonce', () => {
      const made = proof(secret, 'peer', peer.nonce, hub.nonce);
      expect(verifyProof(secret, 'peer', peer.nonce, hello().nonce, made)).to.equal(false);
    });

    it("should refuse the hub's own proof reflected back as the peer's", () => {
      const hubProof = proof(secret, 'hub', hub.nonce, peer.nonce);
      expect(verifyProof(secret, 'peer', hub.nonce, peer.nonce, hubProof)).to.equal(false);
    });

    it('should refuse anything but 32 bytes of hex', () => {
      for (const bad of [undefined, 42, 'zz', 'ab'.repeat(31)]) {
        expect(verifyProof(secret, 'peer', peer.nonce, hub.nonce, bad)).to.equal(false);
      }
    });
  });
});
