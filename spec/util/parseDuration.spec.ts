import { expect } from 'chai';
import { loadConvict } from '../../lib/config/formats.js';
import { parseDuration } from '../../lib/util/parseDuration.js';

describe('parseDuration()', () => {
  it('should read numbers and digit strings as milliseconds', () => {
    expect(parseDuration(0)).to.equal(0);
    expect(parseDuration(1500)).to.equal(1500);
    expect(parseDuration('250')).to.equal(250);
  });

  it('should read every unit, singular or plural, with or without a space, decimals too', () => {
    expect(parseDuration('10 ms')).to.equal(10);
    expect(parseDuration('1 millisecond')).to.equal(1);
    expect(parseDuration('30 seconds')).to.equal(30_000);
    expect(parseDuration('1.5 s')).to.equal(1500);
    expect(parseDuration('.5s')).to.equal(500);
    expect(parseDuration('2 minutes')).to.equal(120_000);
    expect(parseDuration('1 m')).to.equal(60_000);
    expect(parseDuration('1 hour')).to.equal(3_600_000);
    expect(parseDuration('2h')).to.equal(7_200_000);
    expect(parseDuration('1 day')).to.equal(86_400_000);
    expect(parseDuration('3 DAYS')).to.equal(259_200_000);
  });

  it('should refuse anything else', () => {
    for (const bad of [
      'soon',
      '30 fortnights',
      '-1 s',
      '1e3',
      '',
      's',
      '1 s 2',
      -5,
      NaN,
      Infinity,
      null,
      true,
      {},
    ]) {
      expect(parseDuration(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });

  it("should be convict's duration format once loaded", () => {
    const config = loadConvict()(
      { t: { doc: 't', format: 'duration', default: '1 minute' } },
      { env: {}, args: [] },
    );
    expect(config.get('t')).to.equal(60_000);
    config.set('t', '2 s');
    expect(config.get('t')).to.equal(2000);
    config.set('t', 'later');
    expect(() => config.validate({ allowed: 'strict' })).to.throw(/must be a duration/);
  });
});
