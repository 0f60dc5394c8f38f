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

/** The names in the by-layer list of the API section (`- **Layer**: `a`, `b`.`). */
function listedNames(): Set<string> {
  const list = section('API').split(/^### /m)[0]!;
  const items = list.matchAll(/^- \*\*[^*]+\*\*: (.+)$/gm);
  return new Set(
    [...items].flatMap((item) => [...item[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!)),
  );
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

  it('should list every exported value in the README API section', () => {
    const listed = listedNames();
    const table = errorTable();
    const unlisted = Object.keys(exported).filter((name) =>
      isErrorSubclass(exported[name]) ? !table.has(name) || !listed.has(name) : !listed.has(name),
    );
    expect(unlisted, 'exports missing from the list under "## API"').to.deep.equal([]);
  });

  it('should list under API only names the package exports', () => {
    const listed = [...listedNames()];
    expect(listed).to.not.be.empty;
    const unknown = listed.filter((name) => !(name in exported));
    expect(unknown, 'names under "## API" that are not exported').to.deep.equal([]);
  });
});
