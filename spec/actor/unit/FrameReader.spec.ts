import { expect } from 'chai';
import { FrameReader } from '../../../lib/transport/FrameReader.js';
import { ImproperlyConfiguredError } from '../../../lib/errors.js';

function frames(reader: FrameReader, ...chunks: string[]): string[] {
  const found: string[] = [];
  for (const chunk of chunks) reader.feed(chunk, (frame) => found.push(frame) > 0);
  return found;
}

describe('FrameReader', () => {
  describe('feed()', () => {
    it('should split a chunk holding several frames', () => {
      expect(frames(new FrameReader('\f'), 'a\fbb\fccc\f')).to.deep.equal(['a', 'bb', 'ccc']);
    });

    it('should join a frame that arrives in many chunks, once', () => {
      const reader = new FrameReader('\f');
      expect(frames(reader, 'ab', 'cd', 'e')).to.deep.equal([]);
      expect(reader.pendingSize).to.equal(5);
      expect(reader.head(3)).to.equal('abc');
      expect(frames(reader, 'f\fg')).to.deep.equal(['abcdef']);
      expect(reader.pendingSize).to.equal(1);
    });

    it('should stop reading when the handler returns false', () => {
      const reader = new FrameReader('\f');
      const seen: string[] = [];
      const more = reader.feed('a\fb\fc\f', (frame) => {
        seen.push(frame);
        return frame !== 'b';
      });
      expect(more).to.equal(false);
      expect(seen).to.deep.equal(['a', 'b']);
    });

    it('should refuse a delimiter of several characters (it could be split between chunks)', () => {
      expect(() => new FrameReader('\r\n')).to.throw(ImproperlyConfiguredError, 'one character');
    });
  });
});
