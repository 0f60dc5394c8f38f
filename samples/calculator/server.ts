// The calculator over JSON-RPC, served by worker processes under the
// arbiter on http://127.0.0.1:8061 (flags and RXPULSAR_* override it):
//
//   npm run build && node bin/rxpulsar.js dist/samples/calculator/server.js --workers 2
//   node dist/samples/calculator/client.js
import { HttpServer } from '../../lib/index.js';
import { calculatorRpc } from './calculator.js';

export const app = new HttpServer({
  name: 'calculator',
  callable: calculatorRpc.listener,
  workers: 2,
  bind: '127.0.0.1:8061',
  module: import.meta.url,
});
await app.start();
if (!app.isWorker) console.log(`calculator: http://${app.address ?? '?'}/ (Ctrl-C to stop)`);
