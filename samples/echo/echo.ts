// The echo sample's protocol, apart from its app (app.ts starts an arbiter
// when imported), so that a spec can serve it on a plain server.
import type { Socket } from 'node:net';
import type { Actor } from '../../lib/index.js';

/**
 * The protocol of one connection: write back what arrives. A pipe reads no
 * more while the client does not read its echoes (backpressure): with
 * `socket.on('data', (d) => socket.write(d))`, a client that only writes
 * grew a worker to 3.5 GB.
 */
export function echo(socket: Socket, _worker: Actor): void {
  socket.pipe(socket);
  socket.on('error', () => socket.destroy());
}
