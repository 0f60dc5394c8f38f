/**
 * Actor ids.
 * @module
 */
import { randomBytes } from 'node:crypto';

/**
 * A new actor id: 8 random hex characters.
 *
 * @returns the aid.
 * @example
 * ```ts
 * newAid(); // 'a3f09b1c'
 * ```
 */
export function newAid(): string {
  return randomBytes(4).toString('hex');
}
