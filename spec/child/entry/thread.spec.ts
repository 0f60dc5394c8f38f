import { expect } from 'chai';
import { arbiterPerSuite } from '../../support/arbiterPerSuite.js';
import { childLoads, childLoadsFresh } from '../../support/childLoads.js';

describe('thread entry', () => {
  arbiterPerSuite();

  const same = { index: true, deep: true, actorClass: true, childClass: true };

  it("should start without Node's ES-module loader, and give a behaviour module importing rxpulsar its very actor", async () => {
    // Under the specs' source maps: Node's loader runs the runtime's body.
    const { esmLoaderUsed, imported, instances, codeCache } = await childLoads('thread');
    expect(esmLoaderUsed).to.equal(false);
    expect(codeCache).to.deep.equal({
      'runtime.cjs': 'node',
      'runtime-thread.cjs': 'node',
      rxjs: 'node',
    });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });

  it('should do the same in a fresh node without source maps (as users run it), its runtime compiled from the code cache of its install', async () => {
    // The first run writes the caches (lib/compileCache.cts), in the run's folder (spec/hooks.ts).
    await childLoadsFresh('thread');
    const { esmLoaderUsed, imported, instances, codeCache } = await childLoadsFresh('thread');
    expect(esmLoaderUsed).to.equal(false);
    expect(codeCache).to.deep.equal({
      'runtime.cjs': 'accepted',
      'runtime-thread.cjs': 'accepted',
      rxjs: 'accepted',
    });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });
});
