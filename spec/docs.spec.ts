/**
 * The links of the README and of docs/*.md resolve: a `#anchor` to a heading
 * of its file (GitHub's slugs), a relative path to a file of the repository
 * (and its `#anchor` to a heading there). Links into `docs/api/` (TypeDoc's
 * output, built by `npm run docs`) are checked for their page name only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes, -1, -2 for repeats. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = match[1]!
      .trim()
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const match of text.matchAll(/<a id="([^"]+)"><\/a>/g)) found.add(match[1]!);
  return found;
}

function links(markdown: string): string[] {
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

const files = [
  'README.md',
  'config/README.md',
  ...readdirSync(join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('documentation links', () => {
  for (const file of files) {
    it(`should resolve every link of ${file}`, () => {
      const text = readFileSync(join(repo, file), 'utf8');
      const broken: string[] = [];
      for (const link of links(text)) {
        if (/^[a-z]+:/.test(link)) continue; // http:, https:, mailto:
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(repo, file) : resolve(dirname(join(repo, file)), path);
        const inApi = relative(repo, target).startsWith('docs/api/');
        if (inApi) {
          if (
            !/^docs\/api\/(index|(classes|functions|interfaces|types|variables)\/\w+)\.html$/.test(
              relative(repo, target),
            )
          )
            broken.push(link);
          continue;
        }
        if (!existsSync(target)) {
          broken.push(link);
          continue;
        }
        if (anchor !== undefined && target.endsWith('.md')) {
          if (!anchors(readFileSync(target, 'utf8')).has(anchor)) broken.push(link);
        }
      }
      expect(broken, `broken links in ${file}`).to.deep.equal([]);
    });
  }
});
