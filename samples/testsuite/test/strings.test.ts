// A sample spec file: a failure with a diff, a pending test, output kept with its test.
import assert from 'node:assert';

describe('strings', () => {
  it('upper-cases', () => {
    console.log('this line is printed with its test, not among other files');
    assert.strictEqual('rx'.toUpperCase(), 'RX');
  });

  it('joins words (fails on purpose, to show the diff)', () => {
    assert.deepStrictEqual(['a', 'b'].join('-'), 'a+b');
  });

  it('will reverse words');
});
