import { expect } from 'chai';
import { ProtocolError } from '../../lib/errors.js';
import { WireReader } from '../../lib/transport/WireReader.js';

/** Slots 0, 1, 2 defined as from, to, cmd. */
function reader(): WireReader {
  const wire = new WireReader();
  for (const frame of ['s0,"a"', 's1,"b"', 's2,"echo"'])
    expect(wire.read(frame)).to.equal(undefined);
  return wire;
}

describe('WireReader', () => {
  describe('read()', () => {
    it('should read each kind of frame', () => {
      const wire = reader();
      expect(wire.read('q7,0,1,2,["hi"]')).to.deep.equal({
        id: 7,
        from: 'a',
        to: 'b',
        cmd: 'echo',
        args: ['hi'],
        ack: true,
      });
      expect(wire.read('n8,0,1,2,[]')).to.include({ id: 8, ack: false });
      expect(wire.read('r7,1,0,"hi"')).to.deep.equal({
        id: 7,
        from: 'b',
        to: 'a',
        ok: true,
        value: 'hi',
      });
      expect(wire.read('r7,1,0,')).to.deep.equal({
        id: 7,
        from: 'b',
        to: 'a',
        ok: true,
        value: undefined,
      });
      expect(wire.read('e7,1,0,{"name":"E"}')).to.deep.equal({
        id: 7,
        from: 'b',
        to: 'a',
        ok: false,
        error: { name: 'E' },
      });
      expect(wire.read('q9,0,1,2,\'raw, "as it is"'))
        .to.include({ id: 9 })
        .and.to.deep.include({
          args: ['raw, "as it is"'],
        });
      expect(wire.read("r9,1,0,'")).to.include({ value: '' });
      expect(wire.read('t"f00d"')).to.equal('f00d');
      expect(wire.read('q1,"in, \\"place\\"",1,2,[]')).to.include({ from: 'in, "place"' });
    });

    it('should give the same string object for a slot on every frame', () => {
      const wire = reader();
      const one = wire.read('q1,0,1,2,[]') as { from: string };
      const two = wire.read('q2,0,1,2,[]') as { from: string };
      expect(one.from).to.equal('a');
      expect(Object.is(one.from, two.from)).to.equal(true);
    });

    it('should take a slot defined again as its new text', () => {
      const wire = reader();
      wire.read('s0,"z"');
      expect(wire.read('q1,0,1,2,[]')).to.include({ from: 'z' });
    });

    const hostile: [string, string, RegExp][] = [
      ['an empty frame', '', /empty frame/],
      ['an unknown kind', 'x1,0,1,2,[]', /malformed frame starting "x1,0,1,2,\[\]"/],
      ['an id that is no number', 'q,0,1,2,[]', /numeric id at character 1/],
      ['an id of 17 digits', `q${'1'.repeat(17)},0,1,2,[]`, /numeric id/],
      ['an id without its comma', 'q1', /numeric id/],
      ['a from on an undefined slot', 'q1,9,1,2,[]', /from\/to: slot 9 is not defined/],
      ['a from of four digits', 'q1,0000,1,2,[]', /from\/to at character 3/],
      ['a header cut short', 'q1,0,1', /from\/to/],
      ['a cmd on an undefined slot', 'q1,0,1,9,[]', /non-string cmd: slot 9/],
      ['a name in place, unterminated', 'q1,"abc', /unterminated string/],
      ['a name in place, no comma after', 'q1,"abc"1,2,[]', /from\/to/],
      ['a name in place, bad escape', 'q1,"a\\x",1,2,[]', /from\/to: .*JSON/],
      ['args that are no array', 'q1,0,1,2,{"a":1}', /args array/],
      ['a payload that is no JSON', 'q1,0,1,2,[', /unreadable frame/],
      ['a header without payload', 'q1,0,1,2,', /unreadable frame/],
      ['an error reply without its error', 'e1,0,1,', /error reply without an error/],
      ['an error reply with an array', 'e1,0,1,[]', /error reply without an error/],
      ['a slot out of range', 's256,"x"', /slot 256 out of range \(0-255\)/],
      ['a slot defined as no string', 's3,{}', /slot 3 defined as other than a string/],
      ['a slot defined too long', `s3,"${'x'.repeat(257)}"`, /at most 256 characters/],
      ['a slot without its number', 's,"x"', /slot number/],
      ['a token that is no string', 't5', /token frame without a string/],
    ];
    for (const [what, frame, reason] of hostile) {
      it(`should refuse ${what} with a ProtocolError that says so`, () => {
        expect(() => reader().read(frame)).to.throw(ProtocolError, reason);
      });
    }

    it('should read on after a refused frame (the caller decides to drop the peer)', () => {
      const wire = reader();
      expect(() => wire.read('q1,0,1,9,[]')).to.throw(ProtocolError);
      expect(wire.read('q2,0,1,2,[]')).to.include({ id: 2 });
    });
  });
});
