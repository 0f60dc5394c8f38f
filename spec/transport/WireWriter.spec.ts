import { expect } from 'chai';
import { decode } from '../../lib/codec/decode.js';
import { encode } from '../../lib/codec/encode.js';
import { MessageTooLargeError } from '../../lib/errors.js';
import { SLOTS, TRANSFER, type Envelope } from '../../lib/transport/protocol.js';
import { WireWriter } from '../../lib/transport/WireWriter.js';
import { wireReader } from '../support/wire.js';

const request = (over: Partial<Envelope> = {}): Envelope => ({
  id: 1,
  from: 'a',
  to: 'b',
  cmd: 'echo',
  args: ['hi'],
  ack: true,
  ...over,
});

describe('WireWriter', () => {
  describe('encode()', () => {
    it('should define each name once, then write it as its slot', () => {
      const writer = new WireWriter();
      expect(writer.encode(request({ args: [1, 'hi'] }))).to.equal(
        's0,"a"\fs1,"b"\fs2,"echo"\fq1,0,1,2,[1,"hi"]\f',
      );
      expect(writer.encode(request({ id: 2, args: [1, 'hi'] }))).to.equal('q2,0,1,2,[1,"hi"]\f');
      expect(writer.encode({ id: 2, from: 'b', to: 'a', ok: true, value: [] })).to.equal(
        'r2,1,0,[]\f',
      );
    });

    it('should write a lone string argument or value raw, after an apostrophe', () => {
      const writer = new WireWriter();
      const read = wireReader();
      const text = 'hé "quoted" \\ back\nslash 🙂'.repeat(3);
      const envelopes: Envelope[] = [
        request({ args: [text] }),
        { id: 1, from: 'b', to: 'a', ok: true, value: text },
        { id: 2, from: 'b', to: 'a', ok: true, value: '' },
      ];
      const written = envelopes.map((env) => writer.encode(env)).join('');
      expect(written).to.contain(`,'${text}\f`);
      expect(written).to.contain("r2,1,0,'\f");
      expect(read(written)).to.deep.equal(envelopes);
    });

    it('should write in JSON a string that holds the delimiter or a lone surrogate', () => {
      for (const text of ['a\fb', 'x\ud800y']) {
        const written = new WireWriter().encode(request({ args: [text] }));
        expect(written).to.contain(`,${JSON.stringify([text])}\f`);
        expect(wireReader()(written)[0]).to.deep.equal(request({ args: [text] }));
      }
    });

    it('should write every kind so that a reader gives the same envelopes back', () => {
      const envelopes: Envelope[] = [
        request(),
        request({ id: 2, ack: false, cmd: 'notify', args: [{ aid: 'a' }] }),
        { id: 3, from: 'b', to: 'a', ok: true, value: { n: [1, null, 'x'] } },
        { id: 4, from: 'b', to: 'a', ok: true, value: undefined },
        { id: 5, from: 'b', to: 'a', ok: false, error: { name: 'E', message: 'm' } },
        request({ id: Number.MAX_SAFE_INTEGER, to: 'name, with "quotes"\f and\\ more' }),
      ];
      const writer = new WireWriter();
      const read = wireReader();
      const back = read(envelopes.map((env) => writer.encode(env)).join(''));
      expect(back).to.deep.equal(envelopes);
    });

    it('should write a name too long for a slot in place, as JSON', () => {
      const to = 'x'.repeat(300);
      const text = new WireWriter().encode(request({ to }));
      expect(text).to.contain(`,${JSON.stringify(to)},`);
      expect(wireReader()(text)[0]?.to).to.equal(to);
    });

    it('should reuse slots round robin, never one the envelope refers to', () => {
      const writer = new WireWriter();
      const read = wireReader();
      for (let i = 0; i < SLOTS * 3; i++) {
        const env = request({ id: i, from: `from-${i % 7}`, to: `to-${i}`, cmd: `cmd-${i % 300}` });
        expect(read(writer.encode(env))).to.deep.equal([env]);
      }
    });

    it('should write the bytes of a binary-mode envelope in base64', () => {
      const transfer: ArrayBuffer[] = [];
      const args = encode([Buffer.from([1, 2, 255])], { transfer }) as unknown[];
      const env = { ...request({ args }), [TRANSFER]: transfer } as Envelope;
      const text = new WireWriter().encode(env);
      expect(text).to.contain(Buffer.from([1, 2, 255]).toString('base64'));
      const [back] = wireReader()(text);
      expect(decode((back as { args: unknown[] }).args)).to.deep.equal([Buffer.from([1, 2, 255])]);
    });

    it('should refuse an envelope over maxSize and leave its table as it was', () => {
      const writer = new WireWriter(100);
      const read = wireReader();
      expect(() => writer.encode(request({ from: 'new', args: ['x'.repeat(200)] }))).to.throw(
        MessageTooLargeError,
        /request "echo" to b makes a frame of \d+ characters, over maxMessageSize \(100\)/,
      );
      expect(read(writer.encode(request()))).to.deep.equal([request()]);
      expect(read(writer.encode(request({ id: 2, from: 'new' })))).to.deep.equal([
        request({ id: 2, from: 'new' }),
      ]);
    });
  });
});
