/**
 * The `@example` blocks of lib/'s TSDoc compile against the package: each
 * block is type-checked as the body of an async function, with every public
 * name of the package entry in scope. Names a block leaves undeclared (its
 * own variables, such as `app` or `server`) are not errors here; a member,
 * an argument count or an import that does not exist is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const lib = join(repo, 'lib');

/** Diagnostics that say an example uses something that does not exist. */
const CHECKED = new Set([
  2339, // Property 'x' does not exist on type 'Y'.
  2551, // Property 'x' does not exist on type 'Y'. Did you mean 'z'?
  2554, // Expected N arguments, but got M.
  2305, // Module has no exported member 'x'.
  2724, // Module has no exported member 'x'. Did you mean 'y'?
]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

interface Example {
  file: string;
  line: number;
  code: string;
}

/** The fenced ts/js blocks of the `@example` tags of a source file. */
function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const found: Example[] = [];
  const pattern = /@example\s*\n\s*\* ```(?:ts|js|typescript)?\n([\s\S]*?)\n\s*\* ```/g;
  for (const match of text.matchAll(pattern)) {
    const code = match[1]!.replace(/^\s*\* ?/gm, '');
    const line = text.slice(0, match.index).split('\n').length;
    found.push({ file: relative(repo, file), line, code });
  }
  return found;
}

/** A module wrapping one example: imports hoisted, the rest in an async body. */
function wrap(example: Example, names: string[]): string {
  const lines = example.code.split('\n');
  const imports = lines
    .filter((l) => /^import\s/.test(l))
    .map((l) => l.replace(/'rxpulsar'/, `'${join(lib, 'index.js')}'`));
  const body = lines.filter((l) => !/^import\s/.test(l)).map((l) => l.replace(/^export\s+/, ''));
  const taken = new Set(imports.flatMap((l) => [...l.matchAll(/\b(\w+)\b/g)].map((m) => m[1]!)));
  const scope = names.filter((n) => !taken.has(n));
  return [
    ...imports,
    `import { ${scope.join(', ')} } from '${join(lib, 'index.js')}';`,
    `void [${scope.join(', ')}];`,
    'export async function example(): Promise<void> {',
    // A CLI module's own `run` and `main` (mocha's global `run()` would shadow them).
    ...['run', 'main']
      .filter((n) => !new RegExp(`(function|const|let) ${n}\\b`).test(body.join('\n')))
      .map((n) => `let ${n}: any; void ${n};`),
    ...body,
    '}',
  ].join('\n');
}

describe('TSDoc @example blocks', () => {
  it('should use only members, arguments and imports that exist', async function () {
    this.timeout(60_000);
    const entry = (await import(join(repo, 'dist/lib/index.js'))) as Record<string, unknown>;
    const names = Object.keys(entry);
    const examples = sources(lib).flatMap(examplesOf);
    expect(examples.length).to.be.greaterThan(100);
    const files = new Map(examples.map((e, i) => [join(lib, `__example${i}.ts`), e]));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: false,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    const getSource = host.getSourceFile.bind(host);
    host.readFile = (f) => (files.has(f) ? wrap(files.get(f)!, names) : read(f));
    host.fileExists = (f) => files.has(f) || exists(f);
    host.getSourceFile = (f, v, ...rest) =>
      files.has(f)
        ? ts.createSourceFile(f, wrap(files.get(f)!, names), v)
        : getSource(f, v, ...rest);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems: string[] = [];
    for (const [path, example] of files) {
      for (const d of program.getSemanticDiagnostics(program.getSourceFile(path))) {
        if (!CHECKED.has(d.code)) continue;
        const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        problems.push(`${example.file}:${example.line}: ${message}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
