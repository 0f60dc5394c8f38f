// Hello World, served by worker processes under the arbiter.
//
//   npm start                                   (127.0.0.1:8060, 2 workers)
//   node bin/rxpulsar.js dist/samples/helloworld/app.js --workers 4 --bind 127.0.0.1:9000
//   curl 127.0.0.1:8060                         → Hello World!
//
// Every worker imports this module again (like Node's cluster): `start()`
// then registers the app in the worker instead of starting an arbiter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpServer } from '../../lib/index.js';

const body = 'Hello World!';

/** The request listener: any Node listener works (Express, Koa…). */
export function hello(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

export const app = new HttpServer({
  name: 'helloworld',
  callable: hello,
  workers: 2,
  module: import.meta.url,
});
await app.start();
if (!app.isWorker) {
  console.log(
    `helloworld: http://${app.address ?? '?'}/ (${String(app.cfg['workers'])} workers, Ctrl-C to stop)`,
  );
}
