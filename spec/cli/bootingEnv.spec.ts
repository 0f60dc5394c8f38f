import { expect } from 'chai';
import { TestSuite } from '../../lib/apps/test/TestSuite.js';
import { BOOTING_ENV, LOGGING_ENV } from '../../lib/cli/bootingEnv.js';
import { envOf } from '../../lib/config/names.js';
import { standardSettings } from '../../lib/config/settings.js';

describe('bootingEnv', () => {
  describe('BOOTING_ENV', () => {
    it("should be the variables of the test suite's settings, but logging's", () => {
      const all = new Set(Object.keys({ ...standardSettings, ...TestSuite.settings }).map(envOf));
      expect([...BOOTING_ENV, ...LOGGING_ENV].sort()).to.deep.equal([...all].sort());
      for (const name of LOGGING_ENV) expect(BOOTING_ENV.has(name)).to.equal(false);
    });
  });
});
