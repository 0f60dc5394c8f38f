import { expect } from 'chai';
import sinon from 'sinon';
import type winston from 'winston';
import { BurstLog, REJECT_BURST_MS } from '../../lib/log/BurstLog.js';

/** A logger that records its warn and debug lines. */
function recorder(): { logger: winston.Logger; lines: [string, string][] } {
  const lines: [string, string][] = [];
  const logger = {
    warn: (line: string) => lines.push(['warn', line]),
    debug: (line: string) => lines.push(['debug', line]),
  } as unknown as winston.Logger;
  return { logger, lines };
}

describe('BurstLog', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });

  afterEach(() => {
    clock.restore();
  });

  describe('add()', () => {
    it('should warn the first of a burst, and sum up the others at its end', () => {
      const { logger, lines } = recorder();
      const log = new BurstLog(logger);
      log.add('junk', 'disconnecting a peer: junk');
      for (let i = 0; i < 5; i++) log.add('junk', 'disconnecting a peer: junk');
      log.add('slow', 'disconnecting a peer: slow');
      expect(lines.filter(([level]) => level === 'warn')).to.deep.equal([
        ['warn', 'disconnecting a peer: junk'],
      ]);
      expect(lines.filter(([level]) => level === 'debug')).to.have.length(6);
      clock.tick(REJECT_BURST_MS);
      expect(lines.at(-1)).to.deep.equal([
        'warn',
        `disconnected 6 more peers within ${REJECT_BURST_MS} ms: junk ×5, slow ×1`,
      ]);
    });

    it('should start a new burst after the last one ended', () => {
      const { logger, lines } = recorder();
      const log = new BurstLog(logger);
      log.add('a', 'first');
      clock.tick(REJECT_BURST_MS);
      log.add('b', 'second');
      expect(lines).to.deep.equal([
        ['warn', 'first'],
        ['warn', 'second'],
      ]);
      log.flush();
    });
  });

  describe('flush()', () => {
    it('should log the summary now, and leave no timer', () => {
      const { logger, lines } = recorder();
      const log = new BurstLog(logger);
      log.add('a', 'first');
      log.add('a', 'again');
      log.flush();
      expect(lines.at(-1)?.[1]).to.match(/^disconnected 1 more peer within/);
      expect(clock.countTimers()).to.equal(0);
    });
  });
});
