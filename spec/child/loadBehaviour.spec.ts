import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadBehaviour } from '../../lib/child/loadBehaviour.js';
import { encode } from '../../lib/codec/encode.js';

const fixture = (name: string): string =>
  new URL(`../fixtures/behaviours/${name}`, import.meta.url).href;
const inline = encode({ commands: {} });
const run$ = promisify(execFile);
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

    it("should pass on import()'s error for a missing module", async () => {
      const error = await loadBehaviour(fixture('missing.js'), inline).catch((err: unknown) => err);
      expect(error).to.be.an('error').with.property('code', 'ERR_MODULE_NOT_FOUND');
    });

    it("should pass on import()'s error for a TypeScript module with no hook to load it", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxp-behaviour-'));
      try {
        const file = join(dir, 'typed.ts');
        writeFileSync(file, 'export const commands: Record<string, () => number> = {};\n');
        const error = await loadBehaviour(pathToFileURL(file).href, inline).catch(
          (err: unknown) => err,
        );
        expect(error).to.be.an('error').with.property('code', 'ERR_UNKNOWN_FILE_EXTENSION');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should run the ES-module hooks a preload registered (node -r)', async () => {
      const lib = new URL('../../lib/child/loadBehaviour.js', import.meta.url).href;
      const code = `const { loadBehaviour } = await import(${JSON.stringify(lib)});
        const b = await loadBehaviour(${JSON.stringify(fixture('hooked/target.mjs'))}, ${JSON.stringify(inline)});
        console.log(b.commands.which());`;
      const register = fileURLToPath(fixture('hooked/register.cjs'));
      const { stdout } = await run$(process.execPath, [
        '-r',
        register,
        '--input-type=module',
        '-e',
        code,
      ]);
      expect(stdout.trim()).to.equal('HOOKED');
    });
  });
});
