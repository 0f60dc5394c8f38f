import { expect } from 'chai';
import { splitParams } from '../../../lib/actor/splitParams.js';
import { ImproperlyConfiguredError } from '../../../lib/errors.js';

describe('splitParams()', () => {
  it('should sort hooks, commands, timeouts and the rest', () => {
    const start = (): void => undefined;
    const ping = (): string => 'pong';
    const split = splitParams({ name: 'w', start, commands: { ping }, timeout: 100, color: 'red' });
    expect(split).to.deep.equal({
      hooks: { start },
      commands: { ping },
      timeouts: { timeout: 100 },
      free: { color: 'red' },
    });
  });

  it('should refuse a hook that is not a function, instead of keeping it as a setting', () => {
    expect(() => splitParams({ start: 'not a function' })).to.throw(
      ImproperlyConfiguredError,
      'the start hook must be a function, not a string',
    );
    expect(() => splitParams({ periodicTask: null })).to.throw(/periodicTask hook .* not null/);
  });

  it('should refuse commands that are not an object of functions', () => {
    expect(() => splitParams({ commands: { x: 42 } })).to.throw(
      ImproperlyConfiguredError,
      'command "x" must be a function, not a number',
    );
    expect(() => splitParams({ commands: 'x' })).to.throw(
      /commands must be an object of functions, not a string/,
    );
    expect(() => splitParams({ commands: [() => 1] })).to.throw(/not an array/);
  });
});
