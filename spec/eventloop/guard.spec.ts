import { expect } from 'chai';
import { describeError, logFailure, runGuarded } from '../../lib/eventloop/guard.js';
import { captureLogs } from '../../lib/log/captureLogs.js';
import { createLogger } from '../../lib/log/createLogger.js';

describe('guard', () => {
  const logger = createLogger('guard-spec');

  describe('describeError()', () => {
    it('should give the name and message of an Error', () => {
      expect(describeError(new RangeError('too far'))).to.equal('RangeError: too far');
    });

    it('should stringify anything else', () => {
      expect(describeError(42)).to.equal('42');
      expect(describeError(undefined)).to.equal('undefined');
    });
  });

  describe('logFailure()', () => {
    it('should log at level error with what failed, the error and its stack', () => {
      const logs = captureLogs();
      try {
        logFailure(logger, 'the thing', new Error('bad'));
        expect(logs.records).to.have.length(1);
        expect(logs.records[0]).to.include({
          level: 'error',
          message: 'the thing failed: Error: bad',
        });
        expect(logs.records[0]?.['stack']).to.be.a('string').and.contain('bad');
      } finally {
        logs.restore();
      }
    });
  });

  describe('runGuarded()', () => {
    it('should return the result and pass the arguments', () => {
      expect(runGuarded(logger, 'sum', (a: number, b: number) => a + b, 2, 3)).to.equal(5);
    });

    it('should log what the function throws and return undefined', () => {
      const logs = captureLogs();
      try {
        const result = runGuarded(logger, 'work', () => {
          throw new Error('thrown');
        });
        expect(result).to.equal(undefined);
        expect(logs.records.map((r) => r.message)).to.deep.equal(['work failed: Error: thrown']);
      } finally {
        logs.restore();
      }
    });

    it('should log what a returned thenable rejects with', async () => {
      const logs = captureLogs();
      try {
        const result = runGuarded(logger, 'async work', () => Promise.reject(new Error('later')));
        await Promise.resolve(result).catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
        expect(logs.records.map((r) => r.message)).to.deep.equal([
          'async work failed: Error: later',
        ]);
      } finally {
        logs.restore();
      }
    });
  });
});
