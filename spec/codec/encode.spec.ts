import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import sinon from 'sinon';
import { EncodingError } from '../../lib/errors.js';
import { MAX_DEPTH, TAG } from '../../lib/codec/constants.js';
import { encode } from '../../lib/codec/encode.js';
import { decode } from '../../lib/codec/decode.js';

/** Whether a tree holds only what JSON holds (null, booleans, finite numbers, strings, arrays, plain objects). */
function isJsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonSafe(value[i])) return false;
    return true;
  }
  if (typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every(isJsonSafe);
}

/** Runs `encode` and returns the message of the EncodingError it must raise. */
function refusal(value: unknown): string {
  try {
    encode(value);
  } catch (err) {
    expect(err).to.be.instanceOf(EncodingError);
    expect((err as EncodingError).code).to.equal('RXP_ERR_ENCODING');
    return (err as EncodingError).message;
  }
  expect.fail('encode() should have raised an EncodingError');
}

function nest(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node['next'] = child;
    node = child;
  }
  return root;
}

describe('encode()', () => {
  describe('copy-on-write', () => {
    it('should return primitives that JSON holds as they are', () => {
      for (const value of ['', 'abcdefghijklmnop', 0, 1.5, -42, true, false, null]) {
        expect(encode(value)).to.equal(value);
      }
    });

    it('should return the very same object for a plain JSON payload', () => {
      const obj = { id: 1, cmd: 'echo', args: [1, 'two', { three: [true, null, 0] }], meta: {} };
      expect(encode(obj)).to.equal(obj);
      expect(encode(obj.args)).to.equal(obj.args);
    });

    it('should return an object whose prototype is null as it is', () => {
      const obj = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
      expect(encode(obj)).to.equal(obj);
    });

    it('should copy only the path to a changed value and share untouched subtrees', () => {
      const untouched = { deep: { list: [1, 2, 3] } };
      const obj = { untouched, changed: { at: new Date(0) }, list: [untouched, undefined] };
      const out = encode(obj) as typeof obj;
      expect(out).not.to.equal(obj);
      expect(out.untouched).to.equal(untouched);
      expect(out.list).not.to.equal(obj.list);
      expect(out.list[0]).to.equal(untouched);
      expect(out.changed).to.deep.equal({ at: { [TAG]: 'date', v: 0 } });
    });

    it('should never modify its input', () => {
      const obj = { a: [undefined, 1], b: new Map([[1, 2]]), c: { d: NaN } };
      const before = { a: obj.a, b: obj.b, c: obj.c };
      encode(obj);
      expect(obj.a).to.equal(before.a).and.deep.equal([undefined, 1]);
      expect(obj.b).to.equal(before.b);
      expect(obj.c).to.equal(before.c).and.deep.equal({ d: NaN });
    });

    it('should produce a JSON-safe tree for every supported value', () => {
      const value = {
        u: undefined,
        n: [NaN, Infinity, -Infinity, -0],
        big: 12n,
        at: new Date(0),
        bad: new Date(NaN),
        m: new Map<unknown, unknown>([[{ k: 1 }, new Set([1n])]]),
        re: /a+/g,
        buf: Buffer.from('hi'),
        f32: new Float32Array([1.5]),
        ab: new ArrayBuffer(4),
        err: new RangeError('out'),
        fn: (x: number) => x + 1,
        [TAG]: 'user data',
        holes: [1, , 3], // eslint-disable-line no-sparse-arrays
      };
      const out = encode(value);
      expect(isJsonSafe(out)).to.equal(true);
      expect(JSON.parse(JSON.stringify(out))).to.deep.equal(out);
    });
  });

  describe('tags', () => {
    it('should tag what JSON cannot hold with the reserved $rxp key', () => {
      expect(encode(undefined)).to.deep.equal({ $rxp: 'undefined' });
      expect(encode(NaN)).to.deep.equal({ $rxp: 'NaN' });
      expect(encode(Infinity)).to.deep.equal({ $rxp: 'Infinity' });
      expect(encode(-Infinity)).to.deep.equal({ $rxp: '-Infinity' });
      expect(encode(-0)).to.deep.equal({ $rxp: '-0' });
      expect(encode(10n ** 30n)).to.deep.equal({ $rxp: 'bigint', v: '1' + '0'.repeat(30) });
      expect(encode(new Date(86_400_000))).to.deep.equal({ $rxp: 'date', v: 86_400_000 });
      expect(encode(new Date(NaN))).to.deep.equal({ $rxp: 'date', v: null });
      expect(encode(/a.b/imu)).to.deep.equal({ $rxp: 'regexp', src: 'a.b', flags: 'imu' });
      expect(encode(Buffer.from('hi'))).to.deep.equal({ $rxp: 'buffer', v: 'aGk=' });
      expect(encode(new Uint8Array([1, 2]).buffer)).to.deep.equal({
        $rxp: 'arraybuffer',
        v: 'AQI=',
      });
      expect(encode(new Uint16Array([1]))).to.deep.equal({
        $rxp: 'typed',
        type: 'Uint16Array',
        v: 'AQA=',
      });
      expect(encode(new Map([['a', 1]]))).to.deep.equal({ $rxp: 'map', v: [['a', 1]] });
      expect(encode(new Set(['a']))).to.deep.equal({ $rxp: 'set', v: ['a'] });
      expect(encode(() => 1)).to.deep.equal({ $rxp: 'fn', src: '() => 1' });
    });

    it('should keep object properties set to undefined, and turn array holes into undefined', () => {
      expect(encode({ a: undefined })).to.deep.equal({ a: { $rxp: 'undefined' } });
      // eslint-disable-next-line no-sparse-arrays
      expect(encode([1, , 3])).to.deep.equal([1, { $rxp: 'undefined' }, 3]);
    });

    it('should encode only the bytes a typed array views', () => {
      const view = new Uint8Array(new Uint8Array([9, 1, 2, 9]).buffer, 1, 2);
      expect(encode(view)).to.deep.equal({ $rxp: 'typed', type: 'Uint8Array', v: 'AQI=' });
    });

    it('should escape a plain object that has a $rxp key of its own', () => {
      expect(encode({ $rxp: 'date', v: 0 })).to.deep.equal({
        $rxp: 'obj',
        v: { $rxp: 'date', v: 0 },
      });
      expect(encode({ $rxp: undefined })).to.deep.equal({
        $rxp: 'obj',
        v: { $rxp: { $rxp: 'undefined' } },
      });
      expect(encode({ a: { $rxp: { $rxp: 'x' } } })).to.deep.equal({
        a: { $rxp: 'obj', v: { $rxp: { $rxp: 'obj', v: { $rxp: 'x' } } } },
      });
    });

    it('should duplicate shared (non-circular) references', () => {
      const shared = { at: new Date(5) };
      const out = encode({ a: shared, b: [shared, shared] });
      const tag = { at: { $rxp: 'date', v: 5 } };
      expect(out).to.deep.equal({ a: tag, b: [tag, tag] });
    });

    it('should walk values nested just under the depth limit', () => {
      expect(encode(nest(MAX_DEPTH))).to.be.an('object');
    });
  });

  describe('values of another realm (a vm context, such as the shell)', () => {
    const made = (code: string): unknown => runInNewContext(code);
    const trip = (value: unknown): unknown =>
      decode(JSON.parse(JSON.stringify(encode(value))) as never);

    it('should carry their plain objects, Dates, Maps, Sets and RegExps as those of this realm', () => {
      const value = made(
        `({ o: { a: 1, nested: { b: [1, 2] } }, d: new Date(0), m: new Map([['k', { v: 1 }]]),` +
          ` s: new Set([1, 'x']), r: /a+b/gi, j: JSON.parse('{"n":null}') })`,
      );
      expect(trip(value)).to.deep.equal({
        o: { a: 1, nested: { b: [1, 2] } },
        d: new Date(0),
        m: new Map([['k', { v: 1 }]]),
        s: new Set([1, 'x']),
        r: /a+b/gi,
        j: { n: null },
      });
    });

    it('should refuse their class instances and thenables as it does those of this realm', () => {
      expect(refusal(made('new (class Point { constructor() { this.x = 1 } })()'))).to.match(
        /^cannot encode an instance of class Point at \(root\)/,
      );
      expect(refusal(made('new (class Stamp extends Date {})(0)'))).to.match(
        /^cannot encode an instance of class Stamp/,
      );
      expect(refusal(made('({ then() {} })'))).to.match(/^cannot encode a thenable/);
      expect(refusal(made('({ a: Symbol() })'))).to.equal('cannot encode a Symbol at a');
    });
  });

  describe('refusals', () => {
    it('should refuse a symbol, naming its path', () => {
      expect(refusal({ args: [1, { foo: Symbol('s') }] })).to.equal(
        'cannot encode a Symbol at args[1].foo',
      );
      expect(refusal(Symbol.iterator)).to.equal('cannot encode a Symbol at (root)');
      expect(refusal([0, [Symbol()]])).to.equal('cannot encode a Symbol at [1][0]');
      expect(refusal({ 'a key': { 'x-y': Symbol() } })).to.equal(
        'cannot encode a Symbol at ["a key"]["x-y"]',
      );
    });

    it('should name paths through Maps and Sets', () => {
      expect(refusal({ m: new Map([['k', Symbol()]]) })).to.equal(
        'cannot encode a Symbol at m.get("k")',
      );
      expect(refusal(new Map([[7, Symbol()]]))).to.equal('cannot encode a Symbol at (root).get(7)');
      expect(refusal(new Map([[{}, Symbol()]]))).to.equal(
        'cannot encode a Symbol at (root).get(<key #0>)',
      );
      expect(
        refusal({
          m: new Map<unknown, number>([
            [1, 1],
            [Symbol(), 2],
          ]),
        }),
      ).to.equal('cannot encode a Symbol at m.keys()[1]');
      expect(refusal({ s: new Set([1, 2, Symbol()]) })).to.equal(
        'cannot encode a Symbol at s.values()[2]',
      );
    });

    it('should refuse WeakMap, WeakSet and WeakRef', () => {
      expect(refusal({ w: new WeakMap() })).to.match(/^cannot encode a WeakMap at w/);
      expect(refusal([new WeakSet()])).to.match(/^cannot encode a WeakSet at \[0\]/);
      expect(refusal({ r: new WeakRef({}) })).to.match(/^cannot encode a WeakRef at r/);
    });

    it('should refuse Promises and thenables without calling then()', () => {
      const then = sinon.spy();
      expect(refusal({ p: Promise.resolve(1) })).to.equal(
        'cannot encode a Promise at p: await it and send the result instead',
      );
      expect(refusal({ q: [{ then }] })).to.match(/^cannot encode a thenable .* at q\[0\]/);
      class Lazy {
        then(): void {}
      }
      expect(refusal(new Lazy())).to.match(/^cannot encode a thenable .* at \(root\)/);
      expect(then.called).to.equal(false);
    });

    it('should refuse class instances, naming the class and suggesting a plain object', () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      const message = refusal({ shape: { origin: new Point(0, 0) } });
      expect(message).to.match(/^cannot encode an instance of class Point at shape\.origin/);
      expect(message).to.contain('convert it to a plain object');
    });

    it('should refuse subclasses of the built-ins it carries, and boxed primitives', () => {
      class Registry extends Map<string, number> {}
      class Stamp extends Date {}
      class Bytes extends Uint8Array {}
      expect(refusal(new Registry())).to.match(/instance of class Registry/);
      expect(refusal(new Stamp())).to.match(/instance of class Stamp/);
      expect(refusal(new Bytes(1))).to.match(/instance of class Bytes/);
      expect(refusal(Object('boxed'))).to.match(/instance of class String/);
    });

    it('should refuse native and bound functions', () => {
      function add(a: number, b: number): number {
        return a + b;
      }
      expect(refusal({ f: Math.max })).to.match(/^cannot encode a native or bound function at f/);
      expect(refusal([add.bind(null, 1)])).to.match(/native or bound function at \[0\]/);
    });

    it('should refuse a SharedArrayBuffer', () => {
      expect(refusal({ mem: new SharedArrayBuffer(8) })).to.match(
        /^cannot encode a SharedArrayBuffer at mem/,
      );
    });

    it('should refuse circular references, naming where the cycle closes', () => {
      const self: Record<string, unknown> = {};
      self['me'] = self;
      expect(refusal(self)).to.equal(
        'cannot encode a circular reference at me: it points back to (root)',
      );
      const list: unknown[] = [1];
      const holder = { data: { list } };
      list.push({ back: holder.data });
      expect(refusal(holder)).to.equal(
        'cannot encode a circular reference at data.list[1].back: it points back to data',
      );
      const map = new Map<string, unknown>();
      map.set('self', map);
      expect(refusal({ map })).to.equal(
        'cannot encode a circular reference at map.get("self"): it points back to map',
      );
    });

    it('should refuse values nested past the depth limit', () => {
      expect(refusal(nest(MAX_DEPTH + 5))).to.match(
        new RegExp(`^cannot encode a value nested deeper than ${MAX_DEPTH} levels at next\\.next`),
      );
    });
  });
});
