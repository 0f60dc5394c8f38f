/**
 * The package as npm ships it: what `npm pack` puts in, and how users load it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<string, unknown>;

function run(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the package', () => {
  describe('npm pack', () => {
    let files: string[];

    before(async function () {
      this.timeout(60_000);
      // --ignore-scripts: prepack would build again; the specs run from a build.
      const { code, stdout, stderr } = await run('npm', [
        'pack',
        '--dry-run',
        '--json',
        '--ignore-scripts',
      ]);
      expect(code, stderr).to.equal(0);
      const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
      files = packed.files.map((f) => f.path);
    });

    it('should ship the built library, the CLI, the config files and the LICENSE', () => {
      expect(files).to.include.members([
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/require.cjs',
        'dist/lib/cli/main.js',
        'dist/lib/child/entry/process.cjs',
        'bin/rxpulsar.js',
        'config/default.json',
        'LICENSE',
        'README.md',
        'package.json',
      ]);
      expect(files.filter((f) => /^(spec|samples|bench|lib)\//.test(f))).to.deep.equal([]);
    });

    it('should ship source maps that carry their sources', () => {
      const maps = files.filter((f) => f.endsWith('.map'));
      expect(maps.length).to.be.greaterThan(0);
      for (const map of maps) {
        const { sources, sourcesContent } = JSON.parse(readFileSync(`${root}${map}`, 'utf8')) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        const missing = sources.filter((_s, i) => typeof sourcesContent?.[i] !== 'string');
        expect(missing, map).to.deep.equal([]);
      }
    });
  });

  describe('package.json', () => {
    it('should build before packing, and say where the project lives', () => {
      // A clean build: no file of a removed source, no stale build info.
      expect((pkg['scripts'] as Record<string, string>)['prepack'])
        .to.contain("rmSync('dist'")
        .and.match(/&& npm run build$/);
      expect(pkg['repository'])
        .to.have.property('url')
        .that.contains('github.com/rxpulsar/rxpulsar');
      expect(pkg).to.have.property('homepage');
      expect(pkg['bugs']).to.have.property('url');
      expect(readFileSync(`${root}LICENSE`, 'utf8'))
        .to.contain('BSD 3-Clause License')
        .and.contain('the rxpulsar authors');
      expect(pkg['license']).to.equal('BSD-3-Clause');
    });

    it("should take rxjs as a peer dependency, so users' Observables and ours are one class", () => {
      expect(pkg['peerDependencies']).to.deep.equal({ rxjs: '^7.8.0' });
      expect(pkg['dependencies']).not.to.have.property('rxjs');
      expect(pkg['devDependencies'])
        .to.have.property('rxjs')
        .that.matches(/^\d+\.\d+\.\d+$/);
    });
  });

  describe("require('rxpulsar')", () => {
    it('should load the library from CommonJS (no top-level await in its graph)', async () => {
      const script =
        "const r = require('rxpulsar'); console.log(typeof r.arbiter, typeof r.Deferred)";
      const { code, stdout, stderr } = await run(process.execPath, ['-e', script]);
      expect(code, stderr).to.equal(0);
      expect(stdout.trim()).to.equal('function function');
    });
  });

  describe('the runtime bundle (dist/lib/runtime*.{c,}js)', () => {
    const lib = `${root}dist/lib/`;
    /** The relative specifiers a built module imports (or, CommonJS, requires) statically. */
    const relativeImports = (file: string): string[] =>
      [
        ...readFileSync(`${lib}${file}`, 'utf8').matchAll(
          /^(?:(?:import|export)\b[^'"]*|var \w+ = require\()["'](\.[^'"]+)["']/gm,
        ),
      ].map((m) => m[1]!);

    it("should let a child entry load rxpulsar from its own file and the runtime's, all CommonJS", () => {
      const runtime = /^\.{1,2}\/(\.\.\/)?runtime(-process|-thread)?\.cjs$/;
      for (const file of [
        'child/entry/process.cjs',
        'child/entry/thread.cjs',
        'runtime.cjs',
        'runtime-process.cjs',
        'runtime-thread.cjs',
      ]) {
        const specs = relativeImports(file);
        expect(
          specs.filter((s) => !runtime.test(s)),
          file,
        ).to.deep.equal([]);
        // Nor loads one with import(): Node's ES loader stays unused on a child's way to ready.
        expect(readFileSync(`${lib}${file}`, 'utf8'), file).not.to.match(
          /\bimport\(["'][^"']*runtime/,
        );
      }
      // A thread does not load the socket transport; a process, not the port one.
      expect(relativeImports('child/entry/thread.cjs')).not.to.include('../../runtime-process.cjs');
      expect(relativeImports('child/entry/process.cjs')).not.to.include('../../runtime-thread.cjs');
      expect(relativeImports('runtime.cjs')).to.deep.equal([]);
      // Each stub runs its body by the code cache's module (spec compileCache).
      for (const stub of ['runtime', 'runtime-process', 'runtime-thread', 'runtime-lib']) {
        expect(readFileSync(`${lib}${stub}.cjs`, 'utf8'), stub).to.contain(
          `require("./compileCache.cjs").runBody(module, require, require.resolve("./${stub}.body.cjs"));`,
        );
      }
      // tsc's entry modules run the CommonJS ones.
      expect(relativeImports('child/entry/thread.js')).to.deep.equal(['./thread.cjs']);
    });

    it("should load neither node-ipc nor TLS with import 'rxpulsar' (the hub loads node-ipc)", async () => {
      const script =
        "import('rxpulsar').then(() => { const { createRequire } = require('node:module');" +
        " const cache = Object.keys(createRequire(process.cwd() + '/').cache);" +
        " console.log(JSON.stringify({ nodeIpc: cache.some((f) => f.includes('node-ipc'))," +
        " tls: process.moduleLoadList.includes('NativeModule tls') })); })";
      const { code, stdout, stderr } = await run(process.execPath, ['-e', script]);
      expect(code, stderr).to.equal(0);
      expect(JSON.parse(stdout)).to.deep.equal({ nodeIpc: false, tls: false });
    });

    it("should leave the built-in modules the package's modules use later unloaded by import 'rxpulsar' (runtime-lib's requires are lazy)", async () => {
      // What a behaviour module importing rxpulsar would load in a child for nothing.
      const heavy = ['http', 'cluster', 'child_process', 'net', 'dgram'];
      const script =
        "import('rxpulsar').then((r) => console.log(JSON.stringify({ names: typeof r.Deferred," +
        ` loaded: ${JSON.stringify(heavy)}.filter((m) => process.moduleLoadList.includes('NativeModule ' + m)) })))`;
      const { code, stdout, stderr } = await run(process.execPath, ['-e', script]);
      expect(code, stderr).to.equal(0);
      expect(JSON.parse(stdout)).to.deep.equal({ names: 'function', loaded: [] });
    });

    it('should give a deep import and `rxpulsar` the one instance of a bundled module', async () => {
      const manifest = JSON.parse(readFileSync(`${lib}runtime.json`, 'utf8')) as string[];
      expect(manifest).to.include.members(['child/ChildActor', 'actor/current', 'actor/Actor']);
      const index = (await import(`${lib}index.js`)) as Record<string, unknown>;
      const current = (await import(`${lib}actor/current.js`)) as Record<string, unknown>;
      const actor = (await import(`${lib}actor/Actor.js`)) as Record<string, unknown>;
      expect(current['getActor']).to.equal(index['getActor']);
      expect(actor['Actor']).to.equal(index['Actor']);
      expect(relativeImports('actor/Actor.js')).to.deep.equal(['../runtime.js']);
    });

    it('should give a deep import and `rxpulsar` the one instance of a module kept its own file', async () => {
      // Kept out of runtime-lib.js for the spec runners (KEPT_LIGHT), or bundled in runtime.js.
      const index = (await import(`${lib}index.js`)) as Record<string, unknown>;
      const registry = (await import(`${lib}application/registry.js`)) as Record<string, unknown>;
      const errors = (await import(`${lib}errors.js`)) as Record<string, unknown>;
      expect(registry['getApplication']).to.equal(index['getApplication']);
      expect(errors['RxPulsarError']).to.equal(index['RxPulsarError']);
      const required = createRequire(import.meta.url)(`${lib}require.cjs`) as Record<
        string,
        unknown
      >;
      expect(required['RxPulsarError']).to.equal(index['RxPulsarError']);
      expect(required['getApplication']).to.equal(index['getApplication']);
    });

    it('should leave every bundled module a one-liner (a bare `tsc` emits a second instance)', () => {
      const manifest = JSON.parse(readFileSync(`${lib}runtime.json`, 'utf8')) as string[];
      const own = manifest.filter(
        (name) => !readFileSync(`${lib}${name}.js`, 'utf8').startsWith('// Generated by'),
      );
      expect(own, 'emitted by a bare tsc: run `npm run build`').to.deep.equal([]);
    });

    it("should export each runtime file's names through a getter of their own (no shared keyed getter on every call)", () => {
      const require = createRequire(import.meta.url);
      const shared: string[] = [];
      for (const runtime of ['runtime', 'runtime-process', 'runtime-thread', 'runtime-lib']) {
        const exports = require(`${lib}${runtime}.cjs`) as object;
        expect(Object.keys(exports).length, runtime).to.be.greaterThan(0);
        for (const name of Object.keys(exports)) {
          const getter = Object.getOwnPropertyDescriptor(exports, name)?.get?.toString() ?? '';
          // esbuild's __toCommonJS copy: `() => from[key]`, one closure for every name.
          if (getter.includes('[key]')) shared.push(`${runtime}: ${name}`);
        }
      }
      expect(shared).to.deep.equal([]);
    });

    it('should keep the names of the bundled classes and functions', async () => {
      const index = (await import(`${lib}index.js`)) as Record<string, unknown>;
      const renamed = Object.entries(index)
        .filter(([name, value]) => typeof value === 'function' && value.name !== name)
        .map(([name, value]) => `${name}: ${(value as { name: string }).name}`);
      expect(renamed).to.deep.equal([]);
    });
  });
});

describe('README.md', () => {
  it('should name only folders and files the repository holds (or the build makes)', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const generated = /^(dist\/|bench\/results\/)/;
    const paths = readme.match(/\b(?:samples|bench|spec|config|lib|bin)\/[\w./-]*\w/g) ?? [];
    const missing = [...new Set(paths)].filter((path) => {
      if (generated.test(path)) return false;
      const source = path.replace(/^spec\/(.*)\.js$/, 'spec/$1.ts');
      try {
        readFileSync(`${root}${source}`);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code !== 'EISDIR';
      }
    });
    expect(missing).to.deep.equal([]);
  });
});
