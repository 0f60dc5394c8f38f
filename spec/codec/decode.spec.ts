import { expect } from 'chai';
import { EncodingError } from '../../lib/errors.js';
import { MAX_DEPTH } from '../../lib/codec/constants.js';
import { decode } from '../../lib/codec/decode.js';
import type { DecodeOptions } from '../../lib/codec/decode.js';
import { encode } from '../../lib/codec/encode.js';

/** The trip a value makes between two actors: encode, the wire, decode. */
function roundTrip<T>(value: T, options?: DecodeOptions): T {
  return decode(JSON.parse(JSON.stringify(encode(value))), options) as T;
}

/** Runs `decode` on a JSON text and returns the message of the EncodingError it must raise. */
function refusal(text: string, options?: DecodeOptions): string {
  try {
    decode(JSON.parse(text), options);
  } catch (err) {
    expect(err).to.be.instanceOf(EncodingError);
    return (err as EncodingError).message;
  }
  expect.fail('decode() should have raised an EncodingError');
}

type Fn = (...args: unknown[]) => unknown;

describe('decode()', () => {
  describe('round trip through JSON', () => {
    it('should keep what JSON holds', () => {
      const value = { s: 'é\u2028"', n: [0, -1.5, 1e300], b: [true, false], z: null, o: { a: [] } };
      expect(roundTrip(value)).to.deep.equal(value);
    });

    it('should keep undefined, at the top, in objects and in arrays', () => {
      expect(roundTrip(undefined)).to.equal(undefined);
      const out = roundTrip({ a: undefined, b: [undefined, 1] });
      expect(out).to.have.property('a', undefined);
      expect(Object.keys(out)).to.deep.equal(['a', 'b']);
      expect(out.b).to.have.length(2).and.deep.equal([undefined, 1]);
    });

    it('should turn array holes into undefined', () => {
      const out = roundTrip([1, , 3]); // eslint-disable-line no-sparse-arrays
      expect(out).to.have.length(3);
      expect(1 in out).to.equal(true);
      expect(out[1]).to.equal(undefined);
    });

    it('should keep NaN, Infinity, -Infinity and -0', () => {
      const [nan, inf, ninf, nzero, zero] = roundTrip([NaN, Infinity, -Infinity, -0, 0]);
      expect(nan).to.be.NaN;
      expect(inf).to.equal(Infinity);
      expect(ninf).to.equal(-Infinity);
      expect(Object.is(nzero, -0)).to.equal(true);
      expect(Object.is(zero, 0)).to.equal(true);
    });

    it('should keep BigInts of any size and sign', () => {
      for (const big of [0n, 1n, -1n, 2n ** 64n + 1n, -(10n ** 40n)]) {
        expect(roundTrip(big)).to.equal(big);
      }
    });

    it('should keep Dates, invalid ones included', () => {
      const at = new Date('2024-02-29T12:34:56.789Z');
      expect(roundTrip(at)).to.be.instanceOf(Date).and.deep.equal(at);
      const invalid = roundTrip(new Date('nope'));
      expect(invalid).to.be.instanceOf(Date);
      expect(invalid.getTime()).to.be.NaN;
    });

    it('should keep RegExps with their flags', () => {
      const re = roundTrip(/^a\/b[c-d]+$/gimsuy);
      expect(re).to.be.instanceOf(RegExp);
      expect(re.source).to.equal('^a\\/b[c-d]+$');
      expect(re.flags).to.equal('gimsuy');
    });

    it('should keep Maps, whatever their keys, and Sets', () => {
      const key = { id: 1 };
      const map = roundTrip(
        new Map<unknown, unknown>([
          [key, 'obj'],
          [1n, 'big'],
          [undefined, null],
        ]),
      );
      expect(map).to.be.instanceOf(Map);
      expect([...map]).to.deep.equal([
        [key, 'obj'],
        [1n, 'big'],
        [undefined, null],
      ]);
      const set = roundTrip(new Set([1, 'a', undefined, NaN]));
      expect(set).to.be.instanceOf(Set);
      expect([...set]).to.deep.equal([1, 'a', undefined, NaN]);
    });

    it('should keep Buffers', () => {
      const buf = roundTrip(Buffer.from([0, 1, 254, 255]));
      expect(Buffer.isBuffer(buf)).to.equal(true);
      expect([...buf]).to.deep.equal([0, 1, 254, 255]);
    });

    it('should keep every kind of typed array, DataViews and ArrayBuffers', () => {
      const views: ArrayBufferView[] = [
        new Int8Array([-1, 2]),
        new Uint8Array([1, 255]),
        new Uint8ClampedArray([0, 255]),
        new Int16Array([-300, 300]),
        new Uint16Array([65535]),
        new Int32Array([-1 << 30]),
        new Uint32Array([2 ** 32 - 1]),
        new Float32Array([1.5, -0.25]),
        new Float64Array([Math.PI, NaN]),
        new BigInt64Array([-(2n ** 63n)]),
        new BigUint64Array([2n ** 64n - 1n]),
        new DataView(new Uint8Array([1, 2, 3]).buffer),
      ];
      for (const view of views) {
        const out = roundTrip(view);
        expect(out.constructor, view.constructor.name).to.equal(view.constructor);
        expect(out, view.constructor.name).to.deep.equal(view);
      }
      const ab = roundTrip(new Uint8Array([7, 8, 9]).buffer);
      expect(ab).to.be.instanceOf(ArrayBuffer);
      expect([...new Uint8Array(ab)]).to.deep.equal([7, 8, 9]);
    });

    it('should keep only the viewed part of a typed array, on an aligned buffer', () => {
      const base = new Float64Array([1, 2, 3, 4]);
      const out = roundTrip(new Float64Array(base.buffer, 8, 2));
      expect([...out]).to.deep.equal([2, 3]);
      expect(out.byteOffset).to.equal(0);
      expect(out.buffer.byteLength).to.equal(16);
    });

    it('should keep nested combinations', () => {
      const value = {
        byDay: new Map([
          ['mon', new Set([new Date(0), new Date(1)])],
          ['tue', new Set<Date>()],
        ]),
        sets: [new Set([new Map([[1n, [undefined, -0]]])])],
        bytes: new Map([[Buffer.from('k'), { at: new Date(2), re: /x/g }]]),
      };
      expect(roundTrip(value)).to.deep.equal(value);
    });

    it('should keep user objects that have a $rxp key, even ones that look like tags', () => {
      for (const value of [
        { $rxp: 'undefined' },
        { $rxp: 'fn', src: 'process.exit()' },
        { $rxp: 'obj', v: { $rxp: 'date', v: 0 } },
        { $rxp: { $rxp: { $rxp: 1 } }, other: new Date(3) },
        [{ $rxp: undefined }],
      ]) {
        expect(roundTrip(value)).to.deep.equal(value);
      }
    });

    it('should keep an own __proto__ key as data, without touching the prototype', () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}, "at": 1}') as Record<
        string,
        unknown
      >;
      value['at'] = new Date(1);
      const out = roundTrip(value);
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.hasOwn(out, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
      expect(out['at']).to.deep.equal(new Date(1));
    });

    it('should keep values nested just under the depth limit', () => {
      let deep: unknown = 'leaf';
      for (let i = 0; i < MAX_DEPTH; i++) deep = i % 2 === 0 ? [deep] : new Set([deep]);
      expect(roundTrip(deep)).to.deep.equal(deep);
    });
  });

  describe('in place', () => {
    it('should return the parsed tree itself, replacing only tagged objects', () => {
      const json = JSON.parse('{"a":{"b":[1,{"$rxp":"undefined"}]},"c":{"d":2}}') as {
        a: { b: unknown[] };
        c: object;
      };
      const { a, c } = json;
      const b = a.b;
      const out = decode(json) as typeof json;
      expect(out).to.equal(json);
      expect(out.a).to.equal(a);
      expect(out.a.b).to.equal(b).and.deep.equal([1, undefined]);
      expect(out.c).to.equal(c);
    });

    it('should leave encode() output that shares user objects untouched', () => {
      const user = { list: [1, 2], when: { $rxp: 'date' } };
      const out = decode(encode(user)) as typeof user;
      expect(out).to.deep.equal({ list: [1, 2], when: { $rxp: 'date' } });
      expect(user).to.deep.equal({ list: [1, 2], when: { $rxp: 'date' } });
    });
  });

  describe('functions', () => {
    it('should rebuild arrow, async and generator functions', async () => {
      const arrow = roundTrip((a: number, b: number) => a * b);
      expect(arrow(6, 7)).to.equal(42);
      const asyncFn = roundTrip(async (x: number) => Promise.resolve(x + 1));
      expect(await asyncFn(1)).to.equal(2);
      const gen = roundTrip(function* count(n: number) {
        for (let i = 0; i < n; i++) yield i;
      });
      expect([...gen(3)]).to.deep.equal([0, 1, 2]);
      const named = roundTrip(function twice(s: string) {
        return s + s;
      });
      expect(named('ab')).to.equal('abab');
      expect(named.name).to.equal('twice');
    });

    it('should rebuild functions with default parameters', () => {
      const greet = roundTrip(function (name = 'world', punct = '!') {
        return `hello ${name}${punct}`;
      });
      expect(greet()).to.equal('hello world!');
      expect(roundTrip((x = [1, 2].length) => x * 10)()).to.equal(20);
    });

    it('should rebuild method shorthand, plain, async, generator and computed', async () => {
      const hooks = {
        start(n: number) {
          return n + 1;
        },
        async stopping() {
          return Promise.resolve('bye');
        },
        *ids() {
          yield 'a';
        },
        ['periodic task'](): string {
          return 'tick';
        },
      };
      const out = roundTrip(hooks);
      expect(out.start(1)).to.equal(2);
      expect(await out.stopping()).to.equal('bye');
      expect([...out.ids()]).to.deep.equal(['a']);
      expect(out['periodic task']()).to.equal('tick');
    });

    it('should rebuild classes', () => {
      const Counter = roundTrip(
        class Counter {
          n = 0;
          inc(): number {
            return ++this.n;
          }
        },
      );
      expect(new Counter().inc()).to.equal(1);
    });

    it('should return a fresh function each time, even from the same source', () => {
      const wire = JSON.stringify(encode({ f: () => 1 }));
      const a = decode(JSON.parse(wire)) as { f: Fn };
      const b = decode(JSON.parse(wire)) as { f: Fn };
      expect(a.f).not.to.equal(b.f);
      expect(a.f()).to.equal(1);
      expect(b.f()).to.equal(1);
    });

    it('should refuse functions when functions is false, naming the path', () => {
      const wire = JSON.stringify(encode({ hooks: [() => 1] }));
      expect(refusal(wire, { functions: false })).to.equal(
        'cannot decode the function at hooks[0]: decoding functions is disabled (functions: false)',
      );
      expect(
        (decode(JSON.parse(wire), { functions: true }) as { hooks: Fn[] }).hooks[0]?.(),
      ).to.equal(1);
    });

    it('should refuse a source that is not a function', () => {
      expect(refusal('{"f":{"$rxp":"fn","src":"1 + 1"}}')).to.match(
        /^cannot decode the function at f: its source is not a function/,
      );
      expect(refusal('{"f":{"$rxp":"fn","src":"function () { [native code] }"}}')).to.match(
        /^cannot decode the function at f: its source does not parse/,
      );
    });
  });

  describe('malformed input', () => {
    it('should refuse an unknown tag, naming its path', () => {
      expect(refusal('{"a":[{"$rxp":"wat"}]}')).to.equal(
        'cannot decode the unknown tag "wat" at a[0]',
      );
    });

    it('should refuse tags with a bad payload', () => {
      expect(refusal('{"$rxp":"bigint","v":"1.5"}')).to.match(/bigint tag at \(root\)/);
      expect(refusal('{"$rxp":"date","v":"yesterday"}')).to.match(/date tag/);
      expect(refusal('{"$rxp":"regexp","src":"(","flags":""}')).to.match(/regexp tag/);
      expect(refusal('{"$rxp":"typed","type":"Float64Array","v":"AQI="}')).to.match(
        /2 bytes do not make whole Float64Array items/,
      );
      expect(refusal('{"$rxp":"typed","type":"Nope","v":""}')).to.match(/unknown type "Nope"/);
      expect(refusal('{"$rxp":"map","v":[[1]]}')).to.match(/map tag/);
      expect(refusal('{"$rxp":"set","v":{}}')).to.match(/set tag/);
      expect(refusal('{"$rxp":"obj","v":[]}')).to.match(/obj tag/);
      expect(refusal('{"m":{"$rxp":"map","v":[["k",{"$rxp":"?"}]]}}')).to.equal(
        'cannot decode the unknown tag "?" at m.get("k")',
      );
    });

    it('should refuse input nested past the depth limit', () => {
      const text = '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1);
      expect(refusal(text)).to.match(
        new RegExp(`^cannot decode a value nested deeper than ${MAX_DEPTH} levels`),
      );
    });
  });
});
