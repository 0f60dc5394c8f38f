// Calls every method of the calculator server (start server.js first),
// prints the results, then closes its connections.
//
//   node dist/samples/calculator/client.js
import { JsonRpcError, rpcProxy } from '../../lib/index.js';
import type { Calculator } from './calculator.js';

const port = Number(process.env['PORT'] ?? 8061);
const calc = rpcProxy<Calculator>(`http://127.0.0.1:${port}`);
try {
  console.log('add(1, 2)        =', await calc.add(1, 2));
  console.log('subtract(10, 4)  =', await calc.subtract(10, 4));
  console.log('multiply(6, 7)   =', await calc.multiply(6, 7));
  console.log('divide(1, 4)     =', await calc.divide(1, 4));
  console.log('sum(1, 2, 3, 4)  =', await calc.sum(1, 2, 3, 4));
  try {
    await calc.divide(1, 0);
  } catch (err) {
    if (!(err instanceof JsonRpcError)) throw err;
    console.log('divide(1, 0)     → error', err.code, err.message, JSON.stringify(err.data));
  }
  console.log('functions_list   =', await calc.$call('functions_list'));
  console.log('server_info      =', await calc.$call('server_info'));
} finally {
  calc.$close();
}
