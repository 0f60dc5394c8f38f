import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import * as rxjs from 'rxjs';
import * as rx from '../lib/rx.js';

/** The files of RxJS that `rx` loads at once. */
const LOADED = [
  'AsyncSubject',
  'firstValueFrom',
  'Observable',
  'ReplaySubject',
  'Subject',
  'Subscription',
  'util/UnsubscriptionError',
];

describe('rx', () => {
  describe('load()', () => {
    it('should give the very classes and functions rxjs exports (its files, by their folder)', () => {
      expect(rx.Observable).to.equal(rxjs.Observable);
      expect(rx.Subject).to.equal(rxjs.Subject);
      expect(rx.ReplaySubject).to.equal(rxjs.ReplaySubject);
      expect(rx.AsyncSubject).to.equal(rxjs.AsyncSubject);
      expect(rx.Subscription).to.equal(rxjs.Subscription);
      expect(rx.UnsubscriptionError).to.equal(rxjs.UnsubscriptionError);
      expect(rx.firstValueFrom).to.equal(rxjs.firstValueFrom);
      expect(new rx.Subject<number>().pipe(rxjs.map((x) => x))).to.be.instanceOf(rxjs.Observable);
    });

    it('should put its RxJS files in require.cache as Node would, which rxjs then uses (a fresh process)', () => {
      const rxUrl = new URL('../lib/rx.js', import.meta.url).href;
      const script = `
        import { createRequire } from 'node:module';
        const rx = await import(${JSON.stringify(rxUrl)});
        const require = createRequire(${JSON.stringify(import.meta.url)});
        const file = require.resolve('rxjs/internal/Subject');
        const cached = require.cache[file];
        const rxjs = require('rxjs');
        console.log(JSON.stringify({
          same: rxjs.Subject === rx.Subject && rxjs.Observable === rx.Observable,
          loaded: cached?.loaded, filename: cached?.filename === file,
          paths: cached?.paths?.[0], exports: cached?.exports.Subject === rx.Subject,
        }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      const seen = JSON.parse(out) as Record<string, unknown>;
      expect(seen).to.deep.equal({
        same: true,
        loaded: true,
        filename: true,
        paths: join(
          dirname(createRequire(import.meta.url).resolve('rxjs/internal/Subject')),
          'node_modules',
        ),
        exports: true,
      });
    });

    it('should load the first rxjs require finds, even one without RxJS 7 folders (not a copy further up)', async () => {
      const root = mkdtempSync(join(tmpdir(), 'rxp-rx-'));
      try {
        // Further up: the real RxJS 7.
        mkdirSync(join(root, 'node_modules'));
        const real = dirname(
          realpathSync(createRequire(import.meta.url).resolve('rxjs/package.json')),
        );
        symlinkSync(real, join(root, 'node_modules', 'rxjs'), 'dir');
        // Nearer: another rxjs (no dist/cjs/internal/), the one require loads.
        const near = join(root, 'app', 'node_modules', 'rxjs');
        for (const file of LOADED) {
          mkdirSync(dirname(join(near, 'internal', file)), { recursive: true });
          const name = file.split('/').pop()!;
          writeFileSync(join(near, 'internal', `${file}.js`), `exports.${name} = class Near {};\n`);
        }
        writeFileSync(join(near, 'package.json'), '{ "name": "rxjs", "version": "6.6.7" }\n');
        // rx.ts on its own (dist/lib/rx.js re-exports it from a bundle), in the app.
        const copy = join(root, 'app', 'lib', 'rx.js');
        mkdirSync(dirname(copy));
        const source = readFileSync(new URL('../../lib/rx.ts', import.meta.url), 'utf8');
        const { transformSync } = await import('esbuild');
        writeFileSync(copy, transformSync(source, { loader: 'ts', format: 'esm' }).code);
        const loaded = (await import(pathToFileURL(copy).href)) as typeof rx;
        const required = createRequire(copy)('rxjs/internal/Subject') as typeof rx;
        expect(loaded.Subject).to.equal(required.Subject);
        expect(loaded.Subject.name).to.equal('Near');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
