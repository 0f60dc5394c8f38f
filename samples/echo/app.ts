// An echo server: every connection is served by a worker process.
//
//   npm run build && node dist/samples/echo/app.js
//   node dist/samples/echo/client.js        (checks the echoes)
import { SocketServer } from '../../lib/index.js';
import { echo } from './echo.js';

export const app = new SocketServer({
  name: 'echo',
  protocol: echo,
  workers: 2,
  bind: '127.0.0.1:8070',
  module: import.meta.url,
});
await app.start();
if (!app.isWorker) console.log(`echo: tcp://${app.address ?? '?'} (Ctrl-C to stop)`);
