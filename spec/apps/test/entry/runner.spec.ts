import { expect } from 'chai';
import { staticImports } from '../../../support/importGraph.js';

describe('runner (spec runner entry)', () => {
  describe('import', () => {
    it('should load mocha and its own few modules, none of the runtime files of rxpulsar', () => {
      // Evaluating runtime-lib.js and runtime.js cost each runner 20–40 ms of
      // CPU before its first test (docs/choices.md, "rxpulsar test: start-up, sixth round").
      const loaded = staticImports(
        new URL('../../../../lib/apps/test/entry/runner.js', import.meta.url),
      );
      expect(loaded).to.include('apps/test/SpecFileRunner.js');
      expect(loaded.filter((path) => /^runtime(-\w+)?\.js$/.test(path))).to.deep.equal([]);
    });
  });
});
