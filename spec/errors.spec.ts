import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import * as rxpulsar from '../lib/index.js';
import { errorRegistry, RxPulsarError, TimeoutError } from '../lib/index.js';

describe('errors', () => {
  describe('RxPulsarError', () => {
    it('should carry a stable code, a name and a cause', () => {
      const cause = new Error('socket closed');
      const err = new TimeoutError('no handshake', { cause });
      expect(err).to.be.instanceOf(RxPulsarError);
      expect(err).to.be.instanceOf(Error);
      expect(err.code).to.equal('RXP_ERR_TIMEOUT');
      expect(err.name).to.equal('TimeoutError');
      expect(err.cause).to.equal(cause);
    });
  });

  describe('errorRegistry', () => {
    it('should hold one class per code, each exported from the package', () => {
      for (const [code, cls] of Object.entries(errorRegistry)) {
        expect(code).to.match(/^RXP_ERR_[A-Z_]+$/);
        expect(cls.code).to.equal(code);
        expect((rxpulsar as Record<string, unknown>)[cls.name]).to.equal(cls);
      }
    });

    it('should match the error table of the README', () => {
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const table = new Map<string, string>();
      for (const match of readme.matchAll(/^\| `(RXP_ERR_[A-Z_]+)` +\| `(\w+)` +\|/gm)) {
        table.set(match[1]!, match[2]!);
      }
      const registry = new Map(
        Object.entries(errorRegistry).map(([code, cls]) => [code, cls.name]),
      );
      expect(Object.fromEntries(table)).to.deep.equal(Object.fromEntries(registry));
    });

    it('should be what the library throws or rejects with: no plain Error, TypeError or RangeError', () => {
      const lib = fileURLToPath(new URL('../../lib/', import.meta.url));
      // The CLI's own usage errors are printed and turned into an exit code
      // there; convict's format functions throw a message convict wraps; the
      // CommonJS entry fails before the registry itself can load.
      const allowed = [
        /^cli\//,
        /^config\/formats\.ts$/,
        /^apps\/tasks\/taskSettings\.ts$/,
        /^require\.cts$/,
      ];
      const offenders: string[] = [];
      // Thrown, or handed to whoever waits: a rejection, an errback, a failure.
      const PLAIN = /\b(throw|reject|errback|fail|onError)\(?\s*new (Error|TypeError|RangeError)\(/;
      for (const file of readdirSync(lib, { recursive: true, encoding: 'utf8' })) {
        if (!/\.c?ts$/.test(file) || allowed.some((re) => re.test(file))) continue;
        const text = readFileSync(join(lib, file), 'utf8');
        for (const [i, line] of text.split('\n').entries()) {
          if (!/^\s*(\*|\/\/)/.test(line) && PLAIN.test(line)) offenders.push(`${file}:${i + 1}`);
        }
      }
      expect(offenders).to.deep.equal([]);
    });
  });
});
