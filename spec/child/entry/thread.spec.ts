import { expect } from 'chai';
import { arbiterPerSuite } from '../../support/arbiterPerSuite.js';
import { childLoads } from '../../support/childLoads.js';

describe('thread entry', () => {
  arbiterPerSuite();

  it("should start without Node's ES-module loader, and give a behaviour module importing rxpulsar its very actor", async () => {
    const { esmLoaderUsed, instances } = await childLoads('thread');
    expect(esmLoaderUsed, 'the ES loader used by a child without a module').to.equal(false);
    expect(instances).to.deep.equal({
      index: true,
      deep: true,
      actorClass: true,
      childClass: true,
    });
  });
});
