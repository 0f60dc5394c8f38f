import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import * as rxpulsar from '../lib/index.js';
import { RxPulsarError } from '../lib/index.js';

/** The public names of DESIGN.md that exist today, by layer. */
const DESIGN_NAMES: Record<string, string[]> = {
  primitives: [
    'Deferred',
    'MultiDeferred',
    'makeAsync',
    'maybeAsync',
    'safeAsync',
    'isAsync',
    'IOLoop',
    'PeriodicCallback',
  ],
  actors: [
    'arbiter',
    'getActor',
    'spawn',
    'send',
    'command',
    'Actor',
    'Arbiter',
    'ActorProxy',
    'ActorProxyDeferred',
    'ActorMessage',
  ],
  monitors: ['Monitor'],
};

const exported = rxpulsar as Record<string, unknown>;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of the `## title` section, without its fenced code blocks. */
function section(title: string): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${title}`);
  expect(start, `README section "## ${title}"`).to.not.equal(-1);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('## '));
  const body = (end === -1 ? rest : rest.slice(0, end)).join('\n');
  return body.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The headings (level 3 and deeper) of a section. */
function headings(text: string): string[] {
  return [...text.matchAll(/^#{3,6} (.+)$/gm)].map((match) => match[1]!);
}

/** Whether `heading` contains `name` as a whole identifier. */
function names(heading: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(^|[^\\w$])${escaped}([^\\w$]|$)`).test(heading);
}

/** The error classes listed in the README's error table. */
function errorTable(): Set<string> {
  const rows = section('Errors').matchAll(/^\| `RXP_ERR_[A-Z_]+` +\| `(\w+)` +\|/gm);
  return new Set([...rows].map((match) => match[1]!));
}

function isErrorSubclass(value: unknown): boolean {
  return (
    typeof value === 'function' &&
    value !== RxPulsarError &&
    value.prototype instanceof RxPulsarError
  );
}

describe('package entry', () => {
  for (const [layer, list] of Object.entries(DESIGN_NAMES)) {
    it(`should export the public names of DESIGN.md's ${layer}`, () => {
      const missing = list.filter((name) => typeof exported[name] !== 'function');
      expect(missing, 'names of DESIGN.md missing from lib/index.ts').to.deep.equal([]);
    });
  }

  it('should document every exported value under a heading of the README API section', () => {
    const api = headings(section('API'));
    const table = errorTable();
    const undocumented = Object.keys(exported).filter((name) =>
      isErrorSubclass(exported[name])
        ? !table.has(name)
        : !api.some((heading) => names(heading, name)),
    );
    expect(undocumented, 'exports without a heading under "## API"').to.deep.equal([]);
  });

  it('should document under API only classes and functions the package exports', () => {
    const documented = headings(section('API'))
      .map((heading) => /^(?:Class|Function): (\w+)/.exec(heading)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(documented).to.not.be.empty;
    const unknown = documented.filter((name) => typeof exported[name] !== 'function');
    expect(unknown, 'API headings naming no export').to.deep.equal([]);
  });
});
