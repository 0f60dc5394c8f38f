import { expect } from 'chai';
import { checkSpawnParams } from '../../lib/actor/checkSpawnParams.js';
import { checkArbiterOptions } from '../../lib/arbiter/ArbiterOptions.js';
import { ConfigError } from '../../lib/errors.js';
import { monitorSettings } from '../../lib/monitor/MonitorParams.js';
import { checkParams } from '../../lib/util/checkParams.js';
import { MAX_TIMER_MS } from '../../lib/util/maxTimerMs.js';

const LIMIT = 'must be at most 24.8 days (2147483647 ms, the longest timer Node keeps)';
const DAY = 86_400_000;

/** The ConfigError `fn` throws. */
function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('should have thrown a ConfigError');
}

describe('checkParams()', () => {
  it('should make durations milliseconds, up to MAX_TIMER_MS itself', () => {
    const formats = { a: 'duration', b: 'positiveDuration' } as const;
    expect(checkParams({ a: '24 d', b: MAX_TIMER_MS }, formats, 'f()')).to.deep.equal({
      a: 24 * DAY,
      b: MAX_TIMER_MS,
    });
  });

  it('should refuse a duration or a positive duration past MAX_TIMER_MS, saying the limit', () => {
    const err = refusal(() =>
      checkParams(
        { a: '30 days', b: MAX_TIMER_MS + 1 },
        { a: 'duration', b: 'positiveDuration' },
        'f()',
      ),
    );
    expect(err.message.split('\n')).to.deep.equal([
      `a = "30 days" (f()): ${LIMIT}`,
      `b = 2147483648 (f()): ${LIMIT}`,
    ]);
  });

  it('should refuse the long timeouts of spawn()', () => {
    const err = refusal(() =>
      checkSpawnParams({ timeout: '30d', requestTimeout: 25 * DAY, exitTimeout: '1 d' }, 'w'),
    );
    expect(err.message.split('\n')).to.deep.equal([
      `timeout = "30d" (spawn("w")): ${LIMIT}`,
      `requestTimeout = 2160000000 (spawn("w")): ${LIMIT}`,
    ]);
  });

  it('should refuse the long durations of addMonitor(), period and killGrace among them', () => {
    const err = refusal(() =>
      monitorSettings(
        { period: '30d', killGrace: '30d', cooldown: '30d', backoffMax: '30d', timeout: '1 h' },
        'pool',
      ),
    );
    expect(err.problems.map((p) => [p.key, p.origin, p.expected])).to.deep.equal([
      ['period', 'addMonitor("pool")', LIMIT],
      ['killGrace', 'addMonitor("pool")', LIMIT],
      ['cooldown', 'addMonitor("pool")', LIMIT],
      ['backoffMax', 'addMonitor("pool")', LIMIT],
    ]);
    expect(monitorSettings({ period: '24 d' }, 'pool').settings.period).to.equal(24 * DAY);
  });

  it("should refuse the long durations of arbiter()'s options", () => {
    const err = refusal(() => checkArbiterOptions({ gracefulTimeout: '30d', timeout: '30d' }));
    expect(err.problems.map((p) => p.key).sort()).to.deep.equal(['gracefulTimeout', 'timeout']);
    expect(err.message).to.contain(`gracefulTimeout = "30d" (arbiter()): ${LIMIT}`);
  });

  it('should keep 0 a valid duration, and refuse Infinity as no duration', () => {
    expect(checkParams({ t: 0 }, { t: 'duration' }, 'f()')).to.deep.equal({ t: 0 });
    expect(
      refusal(() => checkParams({ t: Infinity }, { t: 'duration' }, 'f()')).problems[0]!.expected,
    ).to.match(/must be a duration/);
  });
});
