import { expect } from 'chai';
import { LoadPolicy, type LoadSettings } from '../../lib/index.js';

const settings: LoadSettings = {
  minWorkers: 1,
  maxWorkers: 4,
  scaleUpLoad: 1,
  scaleDownLoad: 0.1,
  cooldown: 1000,
};

describe('LoadPolicy', () => {
  let now: number;
  let policy: LoadPolicy;

  beforeEach(() => {
    now = 1_000_000;
    policy = new LoadPolicy(settings, () => now);
  });

  describe('decide()', () => {
    it('should scale up once a high load lasted the cooldown', () => {
      expect(policy.decide(2, 6)).to.equal(undefined);
      now += 500;
      expect(policy.decide(2, 6)).to.equal(undefined);
      now += 500;
      expect(policy.decide(2, 6)).to.deep.equal({ to: 3, reason: 'load 3.00 per worker > 1' });
    });

    it('should not scale up on a short spike', () => {
      policy.decide(2, 6);
      now += 500;
      policy.decide(2, 0.5);
      now += 600;
      expect(policy.decide(2, 6)).to.equal(undefined);
    });

    it('should scale down when idle for the cooldown, never below minWorkers', () => {
      policy.decide(2, 0);
      now += 1000;
      expect(policy.decide(2, 0)).to.deep.equal({ to: 1, reason: 'load 0.00 per worker < 0.1' });
      now += 5000;
      policy.decide(1, 0);
      now += 5000;
      expect(policy.decide(1, 0)).to.equal(undefined);
    });

    it('should never go above maxWorkers', () => {
      policy.decide(4, 100);
      now += 2000;
      expect(policy.decide(4, 100)).to.equal(undefined);
    });

    it('should wait for the cooldown between two resizes (no thrashing)', () => {
      policy.decide(2, 6);
      now += 1000;
      expect(policy.decide(2, 6)?.to).to.equal(3);
      now += 10;
      expect(policy.decide(3, 0)).to.equal(undefined);
      now += 500;
      expect(policy.decide(3, 0)).to.equal(undefined);
    });

    it('should bring a size outside the bounds back at once', () => {
      expect(policy.decide(0, 0)).to.deep.equal({ to: 1, reason: 'below minWorkers 1' });
      expect(policy.decide(9, 0)).to.deep.equal({ to: 4, reason: 'above maxWorkers 4' });
    });
  });

  describe('forPool()', () => {
    const pool = { scaleUpLoad: 1, scaleDownLoad: 0.1, cooldown: 1000 };

    it('should give no policy to a pool of fixed size', () => {
      expect(LoadPolicy.forPool({ ...pool, workers: 3 }, 'web')).to.equal(undefined);
    });

    it('should default the other bound and clamp the workers into the bounds', () => {
      const low = { ...pool, workers: 1, minWorkers: 2 };
      expect(LoadPolicy.forPool(low, 'web')?.settings).to.include({ minWorkers: 2, maxWorkers: 2 });
      expect(low.workers).to.equal(2);
      const high = { ...pool, workers: 8, maxWorkers: 4 };
      expect(LoadPolicy.forPool(high, 'web')?.settings).to.include({
        minWorkers: 1,
        maxWorkers: 4,
      });
      expect(high.workers).to.equal(4);
    });

    it('should refuse minWorkers above maxWorkers, naming the pool', () => {
      expect(() =>
        LoadPolicy.forPool({ ...pool, workers: 2, minWorkers: 5, maxWorkers: 3 }, 'web'),
      ).to.throw(/monitor "web": minWorkers \(5\) is above maxWorkers \(3\)/);
    });
  });
});
