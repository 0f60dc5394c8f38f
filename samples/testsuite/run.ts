// Run the sample suite from code: a TestSuite is the app behind `rxpulsar test`.
//
//   npm run build && node dist/samples/testsuite/run.js
// The same from the command line:
//   npx rxpulsar test dist/samples/testsuite/test -w 2
import { fileURLToPath } from 'node:url';
import { TestSuite } from '../../lib/index.js';

const suite = new TestSuite({
  spec: [fileURLToPath(new URL('./test', import.meta.url))],
  workers: 2,
  reporter: 'spec',
  durations: false,
});
// Every mocha event, as the reporter gets it: a programmatic reporter.
suite.events$.subscribe(({ name, data, file }) => {
  if (name === 'fail') {
    const test = data as { fullTitle(): string };
    console.log(`[events$] failed: ${test.fullTitle()} (${file ?? '?'})`);
  }
});
const { failures, stats } = await suite.run();
console.log(`[events$] ${String(stats['passes'])} passed, ${failures} failed`);
process.exitCode = failures;
