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

    /**
     * Run an ES module script in a fresh node with these flags (and no
     * NODE_OPTIONS), `RX` in it standing for `rx`'s URL, an empty
     * `noop.cjs` and the project's rxjs beside it; gives the `result` it sets.
     */
    function fresh(flags: string[], script: string): Record<string, unknown> {
      const rxUrl = new URL('../lib/rx.js', import.meta.url).href;
      const dir = mkdtempSync(join(tmpdir(), 'rxp-rx-'));
      try {
        writeFileSync(join(dir, 'noop.cjs'), '');
        // The project's rxjs, found from the script as from a user's module.
        mkdirSync(join(dir, 'node_modules'));
        const rxjsDir = dirname(createRequire(import.meta.url).resolve('rxjs/package.json'));
        symlinkSync(realpathSync(rxjsDir), join(dir, 'node_modules', 'rxjs'), 'dir');
        writeFileSync(
          join(dir, 'main.mjs'),
          `${script.replaceAll('RX', JSON.stringify(rxUrl))}\nconsole.log(JSON.stringify(result));`,
        );
        const out = execFileSync(
          process.execPath,
          [...flags.map((f) => f.replace('NOOP', join(dir, 'noop.cjs'))), join(dir, 'main.mjs')],
          { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
        );
        return JSON.parse(out) as Record<string, unknown>;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('should give a deep rxjs import of the same static graph the same classes, all loaded (a fresh process)', () => {
      // Node's ES module loader puts an empty module, not loaded, in
      // require.cache for rxjs/internal/Subject before it runs the graph:
      // rx must not take it for a loaded one.
      const script = `
        import * as rx from RX;
        import { Subject } from 'rxjs/internal/Subject';
        import { firstValueFrom } from 'rxjs/internal/firstValueFrom';
        const result = {
          same: rx.Subject === Subject && rx.firstValueFrom === firstValueFrom,
          defined: [rx.firstValueFrom, rx.AsyncSubject, rx.ReplaySubject].every((f) => typeof f === 'function'),
        };`;
      expect(fresh([], script)).to.deep.equal({ same: true, defined: true });
    });

    it("should load RxJS itself, but leave it to Node's loader under source maps or a -r hook", () => {
      // Counts the RxJS files Node's loader compiles, from before rx loads.
      const script = `
        import { createRequire } from 'node:module';
        const Module = createRequire(import.meta.url)('node:module');
        const js = Module._extensions['.js'];
        let byNode = 0;
        Module._extensions['.js'] = (m, f) => { if (f.includes('rxjs')) byNode++; return js(m, f); };
        const rx = await import(RX);
        const result = { byNode, same: rx.Subject === Module.createRequire(import.meta.url)('rxjs').Subject };`;
      expect(fresh([], script)).to.deep.equal({ byNode: 0, same: true });
      expect(fresh(['--enable-source-maps'], script).byNode).to.be.at.least(LOADED.length);
      expect(fresh(['-r', 'NOOP'], script).byNode).to.be.at.least(LOADED.length);
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
        // rx.ts (dist/lib/rx.js re-exports it from a bundle), in the app.
        const copy = join(root, 'app', 'lib', 'rx.js');
        mkdirSync(dirname(copy));
        const { transformSync } = await import('esbuild');
        // With the module it imports (lib/modulePack.ts).
        for (const name of ['rx', 'modulePack']) {
          const source = readFileSync(new URL(`../../lib/${name}.ts`, import.meta.url), 'utf8');
          const code = transformSync(source, { loader: 'ts', format: 'esm' }).code;
          writeFileSync(join(dirname(copy), `${name}.js`), code);
        }
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
