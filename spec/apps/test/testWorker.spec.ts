import { expect } from 'chai';
import { staticImports } from '../../support/importGraph.js';

describe('testWorker (a test worker thread)', () => {
  describe('import', () => {
    it("should load the child runtime's files and its own modules, not the package's (runtime-lib.js)", () => {
      const loaded = staticImports(
        new URL('../../../lib/apps/test/testWorker.js', import.meta.url),
      );
      expect(loaded).to.include.members(['apps/test/serveFiles.js', 'runtime.js']);
      expect(loaded).to.not.include('runtime-lib.js');
    });
  });
});
