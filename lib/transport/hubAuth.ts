/**
 * The first exchange on a TLS connection to the hub, before any frame: both
 * sides send a `hello()` line, then a line with their HMAC proof of the
 * shared secret (see `transport/peerAuth.ts`); the peer proves itself
 * first, and the hub answers only a peer that did. The peer's proof line also
 * says what it is (`actor` or `agent`). Until it has proved itself, a peer
 * may not make the other side buffer more than {@link AUTH_BUFFER} bytes,
 * and must be done within a deadline.
 * @module
 */
import type { Socket } from 'node:net';
import { ProtocolError } from '../errors.js';
import { hello, helloProblem, proof, verifyProof, type PeerRole } from './peerAuth.js';

/** Largest unfinished line accepted before the other side has proved itself. */
export const AUTH_BUFFER = 4096;

/** What a proved peer says it is, and what came after its proof. */
export interface Authenticated {
  /** The peer's proof line (its `as`, `app`, `workers`… for the hub). */
  claim: Record<string, unknown>;
  /** Bytes received after the proof line: the start of the frames. */
  rest: string;
}

/** What the exchange needs. */
export interface AuthOptions {
  /** Which side this is. */
  role: PeerRole;
  /** The shared secret. */
  secret: Buffer;
  /** Give up after this many ms. */
  timeout: number;
  /** Sent with the proof (the peer's `as`, `app`, `workers`). */
  claim?: Record<string, unknown>;
}

/**
 * Run the exchange on a connected socket (its encoding set to utf8 here).
 *
 * @param socket - the TLS socket, secure already.
 * @param options - role, secret, deadline, claim.
 * @returns the other side's claim and the bytes after it.
 * @throws ProtocolError when the other side is not a hub/peer with the secret.
 * @example
 * ```ts
 * const { claim, rest } = await authenticate(socket, { role: 'hub', secret, timeout: 5000 });
 * ```
 */
export function authenticate(socket: Socket, options: AuthOptions): Promise<Authenticated> {
  const { role, secret } = options;
  const other: PeerRole = role === 'hub' ? 'peer' : 'hub';
  const ours = hello();
  socket.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let buffer = '';
    let theirs: string | undefined;
    const fail = (reason: string, tell = true): void => {
      cleanup();
      if (tell && !socket.destroyed) socket.end(`${JSON.stringify({ error: reason })}\n`);
      setTimeout(() => socket.destroy(), 200).unref();
      reject(new ProtocolError(reason));
    };
    const timer = setTimeout(() => fail(`no proof within ${options.timeout} ms`), options.timeout);
    const onClose = (): void => fail('the connection closed during authentication', false);
    const onError = (err: Error): void => fail(`connection error: ${err.message}`, false);
    const onData = (chunk: string): void => {
      buffer += chunk;
      let end = buffer.indexOf('\n');
      while (end !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (!step(line)) return;
        end = buffer.indexOf('\n');
      }
      if (buffer.length > AUTH_BUFFER) fail(`over ${AUTH_BUFFER} bytes before proving itself`);
    };
    const step = (line: string): boolean => {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
        if (typeof value !== 'object' || value === null) throw new ProtocolError('not an object');
      } catch {
        fail(`not an rxpulsar ${other}: ${JSON.stringify(line.slice(0, 40))}`);
        return false;
      }
      if (typeof value['error'] === 'string') {
        fail(`the ${other} refused: ${value['error']}`, false);
        return false;
      }
      if (theirs === undefined) {
        const problem = helloProblem(value);
        if (problem !== undefined) {
          fail(problem);
          return false;
        }
        theirs = value['nonce'] as string;
        // The peer proves itself first; the hub answers only a peer that did.
        if (role === 'peer') sendProof(theirs);
        return true;
      }
      if (!verifyProof(secret, other, theirs, ours.nonce, value['proof'])) {
        fail(`the ${other} did not prove the shared secret`);
        return false;
      }
      if (role === 'hub') sendProof(theirs);
      cleanup();
      resolve({ claim: value, rest: buffer });
      return false;
    };
    const sendProof = (nonce: string): void => {
      const line = { ...options.claim, proof: proof(secret, role, ours.nonce, nonce) };
      socket.write(`${JSON.stringify(line)}\n`);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.write(`${JSON.stringify(ours)}\n`);
  });
}
