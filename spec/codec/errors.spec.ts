import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import {
  CommandNotFoundError,
  EncodingError,
  errorRegistry,
  RemoteError,
  RxPulsarError,
  TimeoutError,
} from '../../lib/errors.js';
import { decode } from '../../lib/codec/decode.js';
import { deserializeError } from '../../lib/codec/deserializeError.js';
import { encode } from '../../lib/codec/encode.js';
import type { SerializedError } from '../../lib/codec/SerializedError.js';
import { serializeError } from '../../lib/codec/serializeError.js';

/** An error's trip between two actors: serialize, the wire, deserialize. */
function roundTrip(err: unknown): Error {
  return deserializeError(JSON.parse(JSON.stringify(serializeError(err))) as SerializedError);
}

/** A stack that can only have come from the other side. */
function remoteStack(name: string, message: string): string {
  return `${name}: ${message}\n    at remoteHandler (/srv/worker.js:10:5)`;
}

describe('serializeError()', () => {
  it('should keep name, message, code and stack', () => {
    const err = new TimeoutError('no handshake');
    expect(serializeError(err)).to.deep.equal({
      name: 'TimeoutError',
      message: 'no handshake',
      code: 'RXP_ERR_TIMEOUT',
      stack: err.stack,
    });
  });

  it('should serialize causes recursively, and other causes as encoded values', () => {
    const root = new TypeError('root');
    const s = serializeError(
      new RemoteError('outer', { cause: new Error('middle', { cause: root }) }),
    );
    expect(s.cause?.name).to.equal('Error');
    expect(s.cause?.cause).to.include({ name: 'TypeError', message: 'root' });
    const other = serializeError(new Error('x', { cause: { at: new Date(0) } }));
    expect(other.causeValue).to.deep.equal({ at: { $rxp: 'date', v: 0 } });
  });

  it('should carry other own enumerable properties as encoded data', () => {
    const err = Object.assign(new Error('open failed'), {
      code: 'ENOENT',
      errno: -2,
      path: '/nope',
      when: new Date(0),
      $rxp: 'mine',
    });
    const s = serializeError(err);
    expect(s.code).to.equal('ENOENT');
    expect(s.data).to.deep.equal({
      errno: -2,
      path: '/nope',
      when: { $rxp: 'date', v: 0 },
      $rxp: 'mine',
    });
  });

  it('should keep a code that is not a string as data', () => {
    const s = serializeError(Object.assign(new Error('http'), { code: 404 }));
    expect(s).not.to.have.property('code');
    expect(s.data).to.deep.equal({ code: 404 });
  });

  it('should never throw: what cannot travel becomes an "[unencodable: …]" string', () => {
    class Socket {}
    const err = Object.assign(new Error('request failed'), {
      socket: new Socket(),
      nested: { sym: Symbol('s') },
    }) as Error & { self?: unknown };
    err.self = err;
    const s = serializeError(err);
    expect(s.data?.['socket']).to.match(
      /^\[unencodable: cannot encode an instance of class Socket at socket/,
    );
    expect(s.data?.['nested']).to.equal('[unencodable: cannot encode a Symbol at nested.sym]');
    expect(s.data?.['self']).to.equal('[unencodable: cannot encode a circular reference at self]');
    expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
  });

  it('should stop a cause chain that loops back', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const s = serializeError(a);
    expect(s.cause?.message).to.equal('b');
    expect(s.cause?.causeValue).to.match(/^\[unencodable: cannot encode a circular reference/);
  });

  it('should turn a thrown non-error into an Error that keeps the value', () => {
    expect(serializeError('plain string')).to.deep.equal({
      name: 'Error',
      message: 'plain string',
    });
    const s = serializeError({ reason: 'busy', at: new Date(0) });
    expect(s.name).to.equal('Error');
    expect(s.message).to.contain('a non-error value was thrown');
    expect(s.data).to.deep.equal({ thrown: { reason: 'busy', at: { $rxp: 'date', v: 0 } } });
    expect(serializeError(Symbol('x')).data?.['thrown']).to.match(/^\[unencodable:/);
  });

  it('should serialize an error made in another realm', () => {
    const foreign: unknown = runInNewContext('new TypeError("elsewhere")');
    expect(foreign).not.to.be.instanceOf(Error);
    expect(serializeError(foreign)).to.include({ name: 'TypeError', message: 'elsewhere' });
    expect(roundTrip(foreign)).to.be.instanceOf(TypeError);
  });

  it('should keep the errors of an AggregateError', () => {
    const back = roundTrip(new AggregateError([new RangeError('r')], 'all failed')) as Error & {
      errors: unknown[];
    };
    expect(back).to.be.instanceOf(RemoteError);
    expect(back.name).to.equal('AggregateError');
    expect(back.errors[0]).to.be.instanceOf(RangeError);
  });
});

describe('deserializeError()', () => {
  it('should rebuild registry errors as their class, with code and remote stack', () => {
    const s: SerializedError = {
      name: 'TimeoutError',
      code: 'RXP_ERR_TIMEOUT',
      message: 'late',
      stack: remoteStack('TimeoutError', 'late'),
    };
    const err = deserializeError(s);
    expect(err).to.be.instanceOf(TimeoutError).and.instanceOf(RxPulsarError);
    expect(err.name).to.equal('TimeoutError');
    expect(err.message).to.equal('late');
    expect((err as TimeoutError).code).to.equal('RXP_ERR_TIMEOUT');
    expect(err.stack).to.equal(s.stack);
  });

  it('should rebuild every class of the registry', () => {
    for (const [code, Cls] of Object.entries(errorRegistry)) {
      const back = roundTrip(new Cls('m'));
      expect(back, code).to.be.instanceOf(Cls);
      expect((back as RxPulsarError).code).to.equal(code);
    }
  });

  it('should rebuild the built-in error classes', () => {
    const classes = [
      Error,
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
    ];
    for (const Cls of classes) {
      const back = roundTrip(new Cls('m'));
      expect(back.constructor, Cls.name).to.equal(Cls);
      expect(back.name).to.equal(Cls.name);
      expect(back.message).to.equal('m');
    }
  });

  it('should rebuild unknown names as RemoteError, keeping name, code and stack', () => {
    const stack = remoteStack('ValidationError', 'bad input');
    const err = deserializeError({
      name: 'ValidationError',
      code: 'E_VALID',
      message: 'bad input',
      stack,
    });
    expect(err).to.be.instanceOf(RemoteError);
    expect(err.name).to.equal('ValidationError');
    expect((err as RemoteError).code).to.equal('E_VALID');
    expect(err.stack).to.equal(stack);
    const noCode = deserializeError({ name: 'KeyError', message: 'k' });
    expect(noCode).to.be.instanceOf(RemoteError);
    expect((noCode as RemoteError).code).to.equal('RXP_ERR_REMOTE');
  });

  it('should keep the code of a system error rebuilt as a built-in', () => {
    const err = deserializeError({
      name: 'Error',
      code: 'ENOENT',
      message: 'no file',
      data: { errno: -2 },
    });
    expect(err.constructor).to.equal(Error);
    expect(err).to.include({ code: 'ENOENT', errno: -2 });
  });

  it('should rebuild causes recursively, keeping their class and stack', () => {
    const inner = new CommandNotFoundError('no such command');
    const outer = new TimeoutError('gave up', {
      cause: new Error('retry failed', { cause: inner }),
    });
    const back = roundTrip(outer);
    expect(back).to.be.instanceOf(TimeoutError);
    const middle = back.cause as Error;
    expect(middle.constructor).to.equal(Error);
    expect(middle.message).to.equal('retry failed');
    expect(middle.cause).to.be.instanceOf(CommandNotFoundError);
    expect((middle.cause as Error).stack).to.equal(inner.stack);
    expect(roundTrip(new Error('x', { cause: 'why' })).cause).to.equal('why');
  });

  it('should carry a subclass with a registry code and its own name', () => {
    class HandshakeTimeout extends TimeoutError {}
    const back = roundTrip(new HandshakeTimeout('no notify'));
    expect(back).to.be.instanceOf(TimeoutError);
    expect(back.name).to.equal('HandshakeTimeout');
  });

  it('should restore data as own properties', () => {
    const back = roundTrip(Object.assign(new RangeError('r'), { limits: new Set([1, 2]) }));
    expect(back).to.be.instanceOf(RangeError);
    expect(Object.keys(back)).to.deep.equal(['limits']);
    expect((back as RangeError & { limits: Set<number> }).limits).to.deep.equal(new Set([1, 2]));
  });

  it('should refuse something that is not a serialized error', () => {
    expect(() =>
      deserializeError({ name: 1, message: 'm' } as unknown as SerializedError),
    ).to.throw(EncodingError, /cannot decode the error at \(root\): it needs a string name/);
    expect(() =>
      deserializeError({ name: 'E', message: 'm', cause: 'x' } as unknown as SerializedError),
    ).to.throw(EncodingError, /its cause is not an error/);
  });
});

describe('errors inside values', () => {
  it('should travel anywhere in a tree with the same serialization', () => {
    const err = new TimeoutError('late', { cause: new TypeError('inner') });
    const wire = JSON.parse(JSON.stringify(encode({ results: [1, err] }))) as unknown;
    expect((wire as { results: [number, Record<string, unknown>] }).results[1]).to.deep.equal({
      $rxp: 'error',
      ...serializeError(err),
    });
    const out = decode(wire) as { results: [number, Error] };
    expect(out.results[1]).to.be.instanceOf(TimeoutError);
    expect(out.results[1].stack).to.equal(err.stack);
    expect(out.results[1].cause).to.be.instanceOf(TypeError);
  });

  it('should name the path of a malformed error', () => {
    expect(() => decode(JSON.parse('{"e":[{"$rxp":"error","name":"E"}]}'))).to.throw(
      EncodingError,
      'cannot decode the error at e[0]: it needs a string name and a string message',
    );
  });
});
