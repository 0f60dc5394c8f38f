import { expect } from 'chai';
import type { Actor } from '../../../lib/index.js';
import { withTopLevelAwait } from '../../../lib/cli/control/topLevelAwait.js';
import { shellEval } from '../../../lib/control/shellEval.js';
import { shellActor } from '../../support/shellActor.js';

describe('withTopLevelAwait()', () => {
  let actor: Actor;
  /** Evaluate a line as `rxpulsar shell` sends it; its text. */
  const line = async (source: string): Promise<string> =>
    (await shellEval(actor, withTopLevelAwait(source) ?? source)).text;

  beforeEach(() => {
    actor = shellActor();
  });

  it('should give a line of several statements the value of its last expression', async () => {
    expect(await line('const z = await Promise.resolve(5); z')).to.equal('5');
    expect(await line('await null; 1 + 1')).to.equal('2');
  });

  it('should keep its declarations for the next lines, patterns, functions and classes too', async () => {
    expect(
      await line(
        'const t = await Promise.resolve(1); let { a, b: [c] } = await Promise.resolve({ a: 2, b: [3] });' +
          ' function twice(x) { return 2 * x } class Box { constructor(v) { this.v = v } }; var w',
      ),
    ).to.equal('undefined');
    expect(await line('[t, a, c, twice(4), new Box(5).v, w]')).to.equal(
      '[ 1, 2, 3, 8, 5, undefined ]',
    );
  });

  it('should leave alone a line without await, or one it cannot parse', () => {
    expect(withTopLevelAwait('const x = 1; x')).to.equal(undefined);
    expect(withTopLevelAwait('const x = await f(')).to.equal(undefined);
  });

  it('should tell an error as before', async () => {
    const thrown = await shellEval(
      actor,
      withTopLevelAwait('await null; throw new RangeError("x")')!,
    );
    expect(thrown).to.include({ thrown: true });
    expect(thrown.text).to.match(/^Uncaught RangeError: x/);
  });
});
