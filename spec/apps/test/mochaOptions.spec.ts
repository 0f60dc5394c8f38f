import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FOCUS } from '../../support/testCli.js';
import {
  onlyCandidates,
  splitTestParams,
  unsupportedReporter,
  workerOptions,
} from '../../../lib/apps/test/mochaOptions.js';

describe('mochaOptions', () => {
  describe('splitTestParams()', () => {
    it("should keep mocha's timeout for mocha and the pool's settings for the app", () => {
      expect(
        splitTestParams({ workers: 2, concurrency: 'thread', timeout: 5000, grep: 'x' }),
      ).to.deep.equal({
        app: { workers: 2, concurrency: 'thread' },
        mocha: { timeout: 5000, grep: 'x' },
      });
    });
  });

  describe('workerOptions()', () => {
    it('should keep what a worker needs, a regular expression as mocha reads it from a string', () => {
      expect(
        workerOptions({ grep: /^api /i, reporter: 'dot', bail: true, spec: ['x'] }),
      ).to.deep.equal({
        grep: '/^api /i',
        bail: true,
      });
    });
  });

  describe('unsupportedReporter()', () => {
    it('should refuse the reporters that read the whole suite first, and only those', () => {
      expect(unsupportedReporter('progress')).to.contain('--reporter=progress');
      expect(unsupportedReporter('spec')).to.equal(undefined);
      expect(unsupportedReporter(undefined)).to.equal(undefined);
    });
  });

  describe('onlyCandidates()', () => {
    it('should pick the files that mention .only', () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxpulsar-only-'));
      try {
        const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.spec.js`));
        writeFileSync(files[0]!, `it.${FOCUS}('x', () => {});`);
        writeFileSync(files[1]!, "it('x', () => {});");
        writeFileSync(files[2]!, "describe['only']('x', () => {});");
        expect(onlyCandidates(files)).to.deep.equal([files[0], files[2]]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
