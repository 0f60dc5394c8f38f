import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { processAlive } from '../../lib/util/processAlive.js';
import { makeZombie, type Zombie } from '../support/zombie.js';

describe('processAlive()', () => {
  it('should say this process and its parent run', () => {
    expect(processAlive(process.pid)).to.equal(true);
    expect(processAlive(process.ppid)).to.equal(true);
  });

  it('should say a process that exited and was reaped does not run', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(processAlive(pid)).to.equal(false);
  });

  describe('a zombie (exited, its parent never reaps it)', () => {
    let zombie: Zombie | undefined;

    before(function () {
      if (!existsSync('/proc/self/stat')) this.skip(); // only /proc tells a zombie
    });

    afterEach(async () => {
      await zombie?.release();
      zombie = undefined;
    });

    it('should say it does not run, although kill(pid, 0) succeeds for it', async () => {
      zombie = await makeZombie();
      expect(() => process.kill(zombie!.pid, 0)).not.to.throw();
      expect(processAlive(zombie.pid)).to.equal(false);
    });
  });
});
