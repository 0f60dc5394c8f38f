import { expect } from 'chai';
import { refused } from '../../lib/concurrency/threadExecArgv.js';

const refusal = (flags: string): Error =>
  Object.assign(new Error(`Initiated Worker with invalid execArgv flags: ${flags}`), {
    code: 'ERR_WORKER_INVALID_EXEC_ARGV',
  });

describe('threadExecArgv', () => {
  describe('refused()', () => {
    it('should drop the flags Node named, with a value given apart', () => {
      const argv = ['--max-old-space-size=200', '--import', 'tsx', '--title', 'x', '--expose-gc'];
      const err = refusal('--max-old-space-size=200, --title, --expose-gc');
      expect(refused(argv, err)).to.deep.equal(['--import', 'tsx']);
    });

    it('should give up on another error, or when no named flag is found', () => {
      expect(refused(['--expose-gc'], new Error('boom'))).to.equal(undefined);
      expect(refused(['--expose-gc'], refusal('--other'))).to.equal(undefined);
    });
  });
});
