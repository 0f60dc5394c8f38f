/**
 * Proof of a shared secret between the hub and a peer on another machine,
 * by HMAC challenge-response: each side sends a random nonce and answers the
 * other's with `HMAC-SHA256(secret, role ‖ version ‖ its nonce ‖ the other's)`.
 * The secret never crosses the wire, a recorded exchange cannot be replayed
 * (both nonces are fresh), and a proof made for one role is refused for the
 * other (a reflected challenge fails). The protocol version travels with the
 * hello, so a mismatch is a clear error on both sides.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The version of the hub protocol this build speaks: 2 since the socket
 * wire of `WireWriter` and `WireReader` (a frame per envelope, names as
 * string slots, lone strings raw), which version 1's JSON batches cannot
 * read: a node of the other version is refused at the hello, saying so.
 */
export const PROTOCOL_VERSION = 2;

/** The first line each side sends. */
export interface Hello {
  /** Always `'rxpulsar'`: tells a hub from anything else listening there. */
  proto: 'rxpulsar';
  /** The sender's protocol version. */
  version: number;
  /** 32 random bytes, hex. */
  nonce: string;
}

/** Which side of the exchange computes a proof. */
export type PeerRole = 'hub' | 'peer';

/**
 * A fresh hello.
 *
 * @returns the hello, with a new nonce.
 * @example
 * ```ts
 * socket.write(`${JSON.stringify(hello())}\n`);
 * ```
 */
export function hello(): Hello {
  return { proto: 'rxpulsar', version: PROTOCOL_VERSION, nonce: randomBytes(32).toString('hex') };
}

/**
 * Check the other side's hello.
 *
 * @param value - the parsed first line.
 * @returns why it cannot be spoken to, or `undefined` when it can.
 */
export function helloProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an rxpulsar hello';
  const { proto, version, nonce } = value as Record<string, unknown>;
  if (proto !== 'rxpulsar') return 'not an rxpulsar hello';
  if (version !== PROTOCOL_VERSION) {
    return `protocol version ${String(version)} is not ${PROTOCOL_VERSION} (upgrade the older side)`;
  }
  if (typeof nonce !== 'string' || !/^[0-9a-f]{64}$/.test(nonce)) return 'a hello without a nonce';
  return undefined;
}

/**
 * The proof `role` sends: the HMAC of both nonces under the secret.
 *
 * @param secret - the shared secret (the content of `--hub-secret-file`).
 * @param role - who proves.
 * @param own - the prover's nonce.
 * @param other - the nonce of the side it proves to.
 * @returns the proof, hex.
 */
export function proof(secret: Buffer | string, role: PeerRole, own: string, other: string): string {
  return createHmac('sha256', secret)
    .update(`${role}\n${PROTOCOL_VERSION}\n${own}\n${other}`)
    .digest('hex');
}

/**
 * Check a proof in constant time.
 *
 * @param secret - the shared secret.
 * @param role - who claims to have proved.
 * @param theirs - the prover's nonce.
 * @param ours - the verifier's nonce.
 * @param received - the proof received.
 * @returns `true` when it was made with the secret for these nonces.
 * @example
 * ```ts
 * const ok = verifyProof(secret, 'peer', peerHello.nonce, ourHello.nonce, line.proof);
 * ```
 */
export function verifyProof(
  secret: Buffer | string,
  role: PeerRole,
  theirs: string,
  ours: string,
  received: unknown,
): boolean {
  if (typeof received !== 'string' || !/^[0-9a-f]{64}$/.test(received)) return false;
  const expected = Buffer.from(proof(secret, role, theirs, ours), 'hex');
  return timingSafeEqual(expected, Buffer.from(received, 'hex'));
}
