import { expect } from 'chai';
import Mocha from 'mocha';
import { SerializableEvent } from 'mocha/lib/nodejs/serializer.js';
import { deserialize } from '../../../lib/apps/test/deserialize.js';

/** A value with every function called (what a reporter reads of it). */
function called(value: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (typeof value === 'function') return { fn: called((value as () => unknown)(), depth + 1) };
  if (value instanceof Error) {
    return { error: value.message, stack: value.stack, own: called({ ...value }, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => called(v, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, called((value as Record<string, unknown>)[k], depth + 1)]),
    );
  }
  return value;
}

describe('deserialize', () => {
  describe('deserialize()', () => {
    it("should rebuild a serialized test and its error as mocha's serializer does", () => {
      const suite = Mocha.Suite.create(new Mocha.Suite('', undefined), 'outer');
      const test = new Mocha.Test('compares', () => undefined);
      suite.addTest(test);
      const err = Object.assign(new Error('expected 1 to equal 2'), {
        actual: 1,
        expected: 2,
        showDiff: true,
        nested: { list: [1, { $$weird: 'x' }], __proto__: { a: 1 } },
      });
      (test as unknown as { err: unknown }).err = err;
      const wire = (): { data?: unknown; error?: unknown } =>
        JSON.parse(JSON.stringify(SerializableEvent.create('fail', test, err).serialize())) as {
          data?: unknown;
          error?: unknown;
        };
      const ours = deserialize(wire());
      const theirs = SerializableEvent.deserialize(wire());
      expect(called(ours.data)).to.deep.equal(called(theirs.data));
      expect(called(ours.error)).to.deep.equal(called(theirs.error));
      expect((ours.data as { fullTitle(): string }).fullTitle()).to.match(/outer compares$/);
    });

    it('should leave a value that is not an object as it is', () => {
      expect(deserialize({ data: 'text' }).data).to.equal('text');
      expect(deserialize({}).error).to.equal(undefined);
    });
  });
});
