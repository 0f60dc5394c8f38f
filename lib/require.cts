/**
 * The `require('rxpulsar')` entry. rxpulsar is an ES module; Node >= 20.19
 * loads one with `require()` (its module graph has no top-level await), so
 * this only hands it over. On a Node that cannot, it says how to import it.
 * @module
 */
/* eslint-disable @typescript-eslint/no-require-imports */

try {
  module.exports = require('./index.js') as unknown;
} catch (err) {
  const code = (err as { code?: unknown }).code;
  if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
  throw new Error(
    `rxpulsar is an ES module and this Node (${process.version}) cannot require() it: ` +
      "use `import { arbiter } from 'rxpulsar'`, or `const rxpulsar = await import('rxpulsar')` " +
      'from CommonJS, or Node >= 20.19',
    { cause: err },
  );
}
