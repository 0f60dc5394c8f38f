/**
 * A Unix socket file left by a server that died (SIGKILL, power loss):
 * nobody listens there, yet a new bind on its path fails with EADDRINUSE
 * until the file is removed.
 * @module
 */
import { lstatSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';

/** The file at a path, not followed if a link; `undefined` if there is none. */
function fileAt(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Connect to a socket and leave at once: `undefined` if someone answered, else the error code. */
function probe(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

/**
 * Make a socket path free to listen on again if what is there is a stale
 * socket: a socket file that refuses connections (`ECONNREFUSED`: no
 * process listens on it) is removed. Anything else stays: a socket that
 * answers (another process listens), a file that is not a socket (never
 * removed), or a socket replaced meanwhile (another server just bound it).
 *
 * @param path - the socket's path.
 * @returns `undefined` when the path is free now (nothing there, or a stale
 *   socket removed); else why it is not, a hint for the bind's error
 *   (`another process listens there`).
 * @example
 * ```ts
 * const hint = await reclaimSocket('/run/app.sock');
 * if (hint === undefined) server.listen('/run/app.sock');
 * ```
 */
export async function reclaimSocket(path: string): Promise<string | undefined> {
  const before = fileAt(path);
  if (before === undefined) return undefined;
  if (!before.isSocket()) {
    return 'the file there is not a socket (left as it is: remove it, or bind elsewhere)';
  }
  const refused = await probe(path);
  if (refused === undefined) return 'another process listens there';
  if (refused === 'ENOENT') return undefined;
  if (refused !== 'ECONNREFUSED')
    return `it is a socket, and connecting to it failed with ${refused}`;
  const after = fileAt(path);
  if (after === undefined) return undefined;
  if (after.ino !== before.ino || after.dev !== before.dev) {
    return 'another process listens there';
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return `it is a stale socket, which cannot be removed: ${(err as Error).message}`;
    }
  }
  return undefined;
}
