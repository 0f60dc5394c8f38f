// An echo server: every connection is served by a worker process.
//
//   npm run build && node dist/samples/echo/app.js
//   node dist/samples/echo/client.js        (checks the echoes)
import type { Socket } from 'node:net';
import { SocketServer, type Actor } from '../../lib/index.js';

/** The protocol of one connection: write back what arrives. */
export function echo(socket: Socket, _worker: Actor): void {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy());
}

export const app = new SocketServer({
  name: 'echo',
  protocol: echo,
  workers: 2,
  bind: '127.0.0.1:8070',
  module: import.meta.url,
});
await app.start();
if (!app.isWorker) console.log(`echo: tcp://${app.address ?? '?'} (Ctrl-C to stop)`);
