import { expect } from 'chai';
import { DEFAULT_RESTART, RestartPolicy } from '../../lib/index.js';

describe('RestartPolicy', () => {
  let now: number;
  const clock = (): number => now;
  const half = (): number => 0.5; // jitter factor 1

  beforeEach(() => {
    now = 1_000_000;
  });

  describe('failedStart()', () => {
    it('should back off exponentially, up to backoffMax', () => {
      const policy = new RestartPolicy({ ...DEFAULT_RESTART, maxRestarts: 100 }, clock, half);
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        policy.failedStart(new Error('boom'));
        delays.push(policy.nextSpawnAt - now);
      }
      expect(delays.slice(0, 5)).to.deep.equal([100, 200, 400, 800, 1600]);
      expect(Math.max(...delays)).to.equal(DEFAULT_RESTART.backoffMax);
    });

    it('should add jitter between half and one and a half times the delay', () => {
      const low = new RestartPolicy(DEFAULT_RESTART, clock, () => 0);
      const high = new RestartPolicy(DEFAULT_RESTART, clock, () => 0.999);
      low.failedStart('x');
      high.failedStart('x');
      expect(low.nextSpawnAt - now).to.equal(50);
      expect(high.nextSpawnAt - now).to.be.closeTo(150, 0.2);
    });

    it('should forbid spawning until the delay has passed', () => {
      const policy = new RestartPolicy(DEFAULT_RESTART, clock, half);
      policy.failedStart('x');
      expect(policy.canSpawn()).to.equal(false);
      now += 100;
      expect(policy.canSpawn()).to.equal(true);
    });
  });

  describe('started()', () => {
    it('should start the backoff over', () => {
      const policy = new RestartPolicy(DEFAULT_RESTART, clock, half);
      policy.failedStart('x');
      policy.failedStart('x');
      policy.started();
      expect(policy.consecutiveFailures).to.equal(0);
      expect(policy.canSpawn()).to.equal(true);
    });
  });

  describe('adopted()', () => {
    it('should leave the backoff of the restart it healed running', () => {
      const policy = new RestartPolicy(DEFAULT_RESTART, clock, half);
      policy.restarted('worker died');
      policy.spawned();
      policy.adopted();
      expect(policy.nextSpawnAt - now).to.equal(100);
      expect(policy.canSpawn()).to.equal(false);
      now += 100;
      expect(policy.canSpawn()).to.equal(true);
    });

    it('should end a half-open trial as started() does', () => {
      const settings = { ...DEFAULT_RESTART, maxRestarts: 0, restartCooldown: 1000 };
      const policy = new RestartPolicy(settings, clock, half);
      policy.restarted('died');
      now += 1000;
      expect(policy.state).to.equal('half-open');
      policy.spawned();
      expect(policy.canSpawn()).to.equal(false);
      policy.adopted();
      expect(policy.canSpawn()).to.equal(true);
    });
  });

  describe('restarted()', () => {
    it('should open the breaker past maxRestarts within the window, with the reason', () => {
      const policy = new RestartPolicy({ ...DEFAULT_RESTART, maxRestarts: 3 }, clock, half);
      for (let i = 0; i < 3; i++) policy.restarted('worker died');
      expect(policy.open).to.equal(false);
      policy.restarted('worker died');
      expect(policy.open).to.equal(true);
      expect(policy.reason).to.contain('4 restarts').and.contain('worker died');
      expect(policy.canSpawn()).to.equal(false);
    });

    it('should forget restarts older than the window', () => {
      const policy = new RestartPolicy(
        { ...DEFAULT_RESTART, maxRestarts: 2, restartWindow: 1000 },
        clock,
        half,
      );
      policy.restarted('a');
      policy.restarted('b');
      now += 1001;
      policy.restarted('c');
      expect(policy.open).to.equal(false);
      expect(policy.recentRestarts).to.equal(1);
    });
  });

  describe('state', () => {
    const settings = {
      ...DEFAULT_RESTART,
      maxRestarts: 1,
      restartWindow: 5000,
      restartCooldown: 1000,
      restartCooldownMax: 3000,
    };
    const trip = (policy: RestartPolicy): void => {
      policy.restarted('died');
      policy.restarted('died');
    };

    it('should back off after a crash too', () => {
      const policy = new RestartPolicy(settings, clock, half);
      policy.restarted('died');
      expect(policy.nextSpawnAt - now).to.equal(100);
      expect(policy.canSpawn()).to.equal(false);
    });

    it('should go half-open after the cool-down, and allow one trial at a time', () => {
      const policy = new RestartPolicy(settings, clock, half);
      trip(policy);
      expect(policy.state).to.equal('open');
      expect(policy.retryAt - now).to.equal(1000);
      now += 1000;
      expect(policy.state).to.equal('half-open');
      expect(policy.canSpawn()).to.equal(true);
      policy.spawned();
      expect(policy.canSpawn()).to.equal(false);
      policy.started();
      expect(policy.canSpawn()).to.equal(true);
    });

    it('should open again for twice as long (capped) on a restart while half-open', () => {
      const policy = new RestartPolicy(settings, clock, half);
      trip(policy);
      const cooldowns: number[] = [];
      for (let i = 0; i < 3; i++) {
        now = policy.retryAt;
        expect(policy.state).to.equal('half-open');
        policy.restarted('died again');
        expect(policy.state).to.equal('open');
        cooldowns.push(policy.retryAt - now);
      }
      expect(cooldowns).to.deep.equal([2000, 3000, 3000]);
      expect(policy.reason).to.contain('half-open').and.contain('died again');
    });

    it('should close after a half-open window without restart', () => {
      const policy = new RestartPolicy(settings, clock, half);
      trip(policy);
      now += 1000;
      expect(policy.state).to.equal('half-open');
      now += 5000;
      expect(policy.state).to.equal('closed');
      expect(policy.recentRestarts).to.equal(0);
    });

    it("should stay open with onRestartLimit 'escalate'", () => {
      const policy = new RestartPolicy({ ...settings, onRestartLimit: 'escalate' }, clock, half);
      trip(policy);
      now += 1_000_000;
      expect(policy.state).to.equal('open');
      expect(policy.retryAt).to.equal(0);
    });
  });

  describe('reset()', () => {
    it('should close the breaker', () => {
      const policy = new RestartPolicy({ ...DEFAULT_RESTART, maxRestarts: 0 }, clock, half);
      policy.restarted('x');
      expect(policy.open).to.equal(true);
      policy.reset();
      expect(policy.open).to.equal(false);
      expect(policy.canSpawn()).to.equal(true);
    });
  });
});
