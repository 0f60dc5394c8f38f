/**
 * The static import graph of a built module: the modules of the package a
 * process loads when it imports that one (before any dynamic `import()`).
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `import … from './x.js'`, `export … from './x.js'`, `import './x.js'` (relative only: packages are not ours). */
const STATIC = /^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/**
 * @param url - a built module of the package (a `file:` URL).
 * @returns the paths, relative to `dist/lib/`, of the modules it loads statically, itself included.
 * @example
 * ```ts
 * expect(staticImports(new URL('../../lib/index.js', import.meta.url))).to.include('runtime-lib.js');
 * ```
 */
export function staticImports(url: URL): string[] {
  const seen = new Set<string>();
  const visit = (module: URL): void => {
    if (seen.has(module.href)) return;
    seen.add(module.href);
    for (const [, specifier] of readFileSync(module, 'utf8').matchAll(STATIC)) {
      visit(new URL(specifier!, module));
    }
  };
  visit(url);
  return [...seen].map((href) => fileURLToPath(href).replace(/^.*\/dist\/lib\//, ''));
}
