import cluster from 'node:cluster';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { spawn } from '../../../lib/index.js';
import { arbiterPerSuite } from '../../support/arbiterPerSuite.js';
import { childLoads, childLoadsFresh } from '../../support/childLoads.js';
import { alive, waitFor } from '../../support/waiting.js';

const module = fileURLToPath(new URL('../../fixtures/actors/marks-stopping.js', import.meta.url));

describe('process entry', () => {
  arbiterPerSuite();
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'process-entry-spec-'));
    saved = process.env['RXPULSAR_SPEC_MARK'];
    process.env['RXPULSAR_SPEC_MARK'] = join(dir, 'stopped');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['RXPULSAR_SPEC_MARK'];
    else process.env['RXPULSAR_SPEC_MARK'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('should stop its actor, stopping hook run, when its IPC channel closes (its arbiter gone)', async () => {
    const proxy = await spawn({ name: 'disconnected', concurrency: 'process', module });
    const pid = proxy.pid!;
    const worker = Object.values(cluster.workers ?? {}).find((w) => w?.process.pid === pid);
    expect(worker, 'its cluster worker').to.not.equal(undefined);
    const exited = new Promise<number | null>((resolve) =>
      worker!.process.once('exit', (code) => resolve(code)),
    );
    worker!.process.disconnect(); // what its arbiter's death does to it, first
    expect(await exited, 'its exit code').to.equal(0);
    expect(readFileSync(join(dir, 'stopped'), 'utf8')).to.equal(`stopped ${pid}\n`);
    await waitFor(() => !alive(pid), 10_000, 'the actor gone');
    expect(existsSync(join(dir, 'stopped'))).to.equal(true);
  });

  const same = { index: true, deep: true, actorClass: true, childClass: true };

  it("should start without Node's ES-module loader, and give a behaviour module importing rxpulsar its very actor", async () => {
    // Under the specs' source maps: Node's loader runs the runtime's body.
    const { esmLoaderUsed, imported, instances, codeCache } = await childLoads('process');
    expect(esmLoaderUsed).to.equal(false);
    expect(codeCache).to.deep.equal({
      'runtime.cjs': 'node',
      'runtime-process.cjs': 'node',
      rxjs: 'node',
    });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });

  it('should do the same in a fresh node without source maps (as users run it), its runtime compiled from the code cache of its install', async () => {
    // The first run writes the caches (lib/compileCache.cts), in the run's folder (spec/hooks.ts).
    await childLoadsFresh('process');
    const { esmLoaderUsed, imported, instances, codeCache } = await childLoadsFresh('process');
    expect(esmLoaderUsed).to.equal(false);
    expect(codeCache).to.deep.equal({
      'runtime.cjs': 'accepted',
      'runtime-process.cjs': 'accepted',
      rxjs: 'accepted',
    });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });
});
