/**
 * The length limit of a Unix socket's path. The kernel keeps it in a fixed
 * buffer (`sun_path`: 108 bytes on Linux, 104 on macOS and the BSDs, with
 * its final NUL), and Node cuts a longer path there without a word: the
 * server then binds a shorter name than asked (nothing is at the path it
 * was given), and a second one finds that name taken. So every socket of
 * the arbiter is checked before it listens.
 * @module
 */
import { tmpdir } from 'node:os';
import { ListenError } from '../errors.js';
import { MAX_SOCKET_PATH } from './maxSocketPath.js';

/**
 * Refuse a Unix socket path over {@link MAX_SOCKET_PATH}, naming it, its
 * length and the limit, and what places it.
 *
 * @param path - the socket's path.
 * @param what - which socket, for the message (`hub`, `control`).
 * @throws ListenError when the path is too long.
 * @example
 * ```ts
 * checkSocketPath('/tmp/rxpulsar-4242-a1B2c3/hub.sock', 'hub'); // fine
 * ```
 */
export function checkSocketPath(path: string, what: string): void {
  const length = Buffer.byteLength(path);
  if (length <= MAX_SOCKET_PATH) return;
  const temp = tmpdir();
  throw new ListenError(
    `the ${what} socket path ${path} is ${length} bytes long, over the limit of ` +
      `${MAX_SOCKET_PATH} bytes for a Unix socket on ${process.platform}. It is in the ` +
      `arbiter's runtime folder, made in the temp directory ${temp} ` +
      `(${Buffer.byteLength(temp)} bytes): set TMPDIR to a shorter folder (such as /tmp)`,
  );
}
