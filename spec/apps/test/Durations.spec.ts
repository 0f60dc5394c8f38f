import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Durations } from '../../../lib/apps/test/Durations.js';

describe('Durations', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxpulsar-durations-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('order()', () => {
    it('should put files with no history first, then the longest first', () => {
      const durations = new Durations(join(dir, 'd.json'));
      durations.set(join(dir, 'short.js'), 10);
      durations.set(join(dir, 'long.js'), 500);
      const files = ['short.js', 'new.js', 'long.js'].map((f) => join(dir, f));
      expect(durations.order(files).map((f) => f.slice(dir.length + 1))).to.deep.equal([
        'new.js',
        'long.js',
        'short.js',
      ]);
    });
  });

  describe('save()', () => {
    it('should keep durations between runs, keyed by path relative to the cache', () => {
      const path = join(dir, 'd.json');
      const first = new Durations(path);
      first.set(join(dir, 'spec', 'a.js'), 123.4);
      first.save();
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.deep.equal({ 'spec/a.js': 123 });
      expect(new Durations(path).get(join(dir, 'spec', 'a.js'))).to.equal(123);
    });

    it('should read a corrupt cache as an empty one', () => {
      const path = join(dir, 'd.json');
      writeFileSync(path, '{ not json');
      expect(new Durations(path).get(join(dir, 'a.js'))).to.equal(undefined);
    });
  });
});
