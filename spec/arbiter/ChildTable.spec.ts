import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { arbiter, type Arbiter } from '../../lib/index.js';
import { rejection } from '../support/waiting.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/actors/${name}.js`, import.meta.url));

/** Block this thread (its event loop too) for `ms`. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('ChildTable', () => {
  let a: Arbiter;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-childtable-'));
    a = arbiter({ requestTimeout: 3000, exitTimeout: 2000 });
    await a.start();
  });

  after(async () => {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('add()', () => {
    for (const concurrency of ['thread', 'process'] as const) {
      it(`should fail a ${concurrency} spawn with its start error even when the exit is seen before the message`, async () => {
        // The arbiter's loop is blocked while the thread fails its start hook,
        // posts the error and exits: both events wait for the same turn, and
        // the exit is seen first.
        for (let round = 0; round < 3; round++) {
          const startedFile = join(dir, `started-${concurrency}-${round}`);
          const d = a.spawn({
            name: 'fails-start',
            concurrency,
            module: fixture('fails-start'),
            startedFile,
          });
          const deadline = Date.now() + 10_000;
          while (!existsSync(startedFile) && Date.now() < deadline) block(5);
          block(300); // its notify posted, its thread gone
          const err = await rejection(d);
          expect(err).to.be.instanceOf(TypeError);
          expect(err.message).to.equal('cannot start');
        }
      });
    }
  });
});
