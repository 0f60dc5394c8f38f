import { expect } from 'chai';
import type { Actor } from '../../lib/index.js';
import { shellComplete, shellEval } from '../../lib/control/shellEval.js';
import { shellActor } from '../support/shellActor.js';

describe('shellEval()', () => {
  let actor: Actor;

  beforeEach(() => {
    actor = shellActor();
  });

  it('should evaluate an expression and show it as util.inspect does', async () => {
    expect(await shellEval(actor, '({ a: [1, 2], b: "x" })')).to.deep.equal({
      text: "{ a: [ 1, 2 ], b: 'x' }",
    });
  });

  it('should give the JSON form when asked', async () => {
    expect(await shellEval(actor, '[1, { b: 2 }]', { json: true })).to.deep.equal({
      text: '[ 1, { b: 2 } ]',
      json: '[1,{"b":2}]',
    });
  });

  it('should support top-level await and keep variables between lines', async () => {
    expect((await shellEval(actor, 'let n = 40')).text).to.equal('undefined');
    expect((await shellEval(actor, 'const m = await Promise.resolve(2)')).text).to.equal(
      'undefined',
    );
    expect((await shellEval(actor, 'n + m')).text).to.equal('42');
    expect(
      (await shellEval(actor, 'await new Promise((r) => setTimeout(() => r(n), 5))')).text,
    ).to.equal('40');
  });

  it('should import modules with import(), as a module of the process does', async () => {
    expect((await shellEval(actor, 'const p = await import("node:path")')).text).to.equal(
      'undefined',
    );
    expect((await shellEval(actor, 'p.posix.join("a", "b")')).text).to.equal("'a/b'");
  });

  it('should put the actor, arbiter and getActor in scope', async () => {
    expect(
      (await shellEval(actor, '[actor.name, arbiter === actor, getActor().aid]')).text,
    ).to.equal("[ 'shelled', true, 'a1' ]");
  });

  it('should report a throw, a rejection and a syntax error without throwing', async () => {
    const thrown = await shellEval(actor, 'throw new TypeError("bad")');
    expect(thrown).to.include({ thrown: true, recoverable: false });
    expect(thrown.text).to.match(/^Uncaught TypeError: bad\n {4}at shell:1:7$/);
    expect((await shellEval(actor, 'await Promise.reject(new Error("no"))')).text).to.match(
      /^Uncaught Error: no/,
    );
    expect(await shellEval(actor, 'throw 3')).to.deep.equal({
      text: 'Uncaught 3',
      thrown: true,
      recoverable: false,
    });
    expect(await shellEval(actor, '}')).to.include({ thrown: true, recoverable: false });
  });

  it('should mark incomplete input as recoverable', async () => {
    expect(await shellEval(actor, '[1,\n')).to.include({ thrown: true, recoverable: true });
  });

  it('should cut synchronous code that runs too long', async () => {
    const result = await shellEval(actor, 'while (true) {}', { syncTimeout: 50 });
    expect(result.text).to.match(/^Uncaught Error: Script execution timed out after 50ms/);
  });
});

describe('shellComplete()', () => {
  const actor = shellActor();

  before(async () => {
    await shellEval(actor, 'var box = { alpha: 1, alps: 2, beta: 3 }');
  });

  it('should complete the globals of the shell', () => {
    const [hits, fragment] = shellComplete(actor, 'const x = bo');
    expect(fragment).to.equal('bo');
    expect(hits).to.deep.equal(['box']);
  });

  it('should complete the properties of a path', () => {
    expect(shellComplete(actor, 'box.al')).to.deep.equal([['box.alpha', 'box.alps'], 'box.al']);
    expect(shellComplete(actor, 'actor.na')[0]).to.include('actor.name');
  });

  it('should call nothing and complete nothing after a call', () => {
    expect(shellComplete(actor, 'box.alpha().x')).to.deep.equal([[], '.x']);
  });
});
