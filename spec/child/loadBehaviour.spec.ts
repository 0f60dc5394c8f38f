import { createRequire } from 'node:module';
import { expect } from 'chai';
import { loadBehaviour } from '../../lib/child/loadBehaviour.js';
import { encode } from '../../lib/codec/encode.js';

const fixture = (name: string): string =>
  new URL(`../fixtures/behaviours/${name}`, import.meta.url).href;
const inline = encode({ commands: {} });
const run = (behaviour: Awaited<ReturnType<typeof loadBehaviour>>, command: string): unknown =>
  (behaviour.commands[command] as () => unknown)();

describe('loadBehaviour', () => {
  describe('loadBehaviour()', () => {
    it("should load an ES module file with require (not Node's asynchronous ES loader)", async () => {
      const url = fixture('counted.js');
      const behaviour = await loadBehaviour(url, inline);
      expect(run(behaviour, 'evaluation')).to.be.a('number');
      expect(createRequire(import.meta.url).cache).to.have.property(new URL(url).pathname);
    });

    it('should load a module with top-level await by import()', async () => {
      const behaviour = await loadBehaviour(fixture('awaits.js'), inline);
      expect(run(behaviour, 'awaited')).to.equal(true);
    });

    it('should load a CommonJS module, its exports the behaviour', async () => {
      const behaviour = await loadBehaviour(fixture('common.cjs'), inline);
      expect(run(behaviour, 'kind')).to.equal('commonjs');
      expect(behaviour.hooks).to.have.property('start').that.is.a('function');
    });

    it('should load a URL with a query by import(), a module of its own', async () => {
      const first = run(
        await loadBehaviour(`${fixture('counted.js')}?spec=1`, inline),
        'evaluation',
      ) as number;
      const again = run(
        await loadBehaviour(`${fixture('counted.js')}?spec=2`, inline),
        'evaluation',
      ) as number;
      expect(again).to.equal(first + 1);
    });

    it('should pass on the error of a module that cannot load', async () => {
      const error = await loadBehaviour(fixture('missing.js'), inline).catch((err: unknown) => err);
      expect(error).to.be.an('error').with.property('code', 'MODULE_NOT_FOUND');
    });
  });
});
