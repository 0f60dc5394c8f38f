import { expect } from 'chai';
import { arbiterPerSuite } from '../../support/arbiterPerSuite.js';
import { childLoads, childLoadsFresh } from '../../support/childLoads.js';

describe('thread entry', () => {
  arbiterPerSuite();

  const same = { index: true, deep: true, actorClass: true, childClass: true };

  it("should start without Node's ES-module loader, and give a behaviour module importing rxpulsar its very actor", async () => {
    // Under the specs' source maps: Node's loader runs the runtime's body.
    const { esmLoaderUsed, codeCache, imported, instances } = await childLoads('thread');
    expect({ esmLoaderUsed, codeCache }).to.deep.equal({ esmLoaderUsed: false, codeCache: 'node' });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });

  it('should do the same with its runtime compiled from its code cache (a fresh node, no source maps)', async () => {
    const { esmLoaderUsed, codeCache, imported, instances } = await childLoadsFresh('thread');
    expect({ esmLoaderUsed, codeCache }).to.deep.equal({
      esmLoaderUsed: false,
      codeCache: 'accepted',
    });
    expect(imported, 'import() in a function sent by source').to.equal(true);
    expect(instances).to.deep.equal(same);
  });
});
