import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ImproperlyConfiguredError } from '../../lib/errors.js';
import { writePidFile } from '../../lib/config/pidFile.js';
import { makeZombie, type Zombie } from '../support/zombie.js';

describe('writePidFile()', () => {
  let dir: string;
  let path: string;
  const releases: (() => void)[] = [];
  let zombie: Zombie | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxp-pid-'));
    path = join(dir, 'app.pid');
  });

  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    rmSync(dir, { recursive: true, force: true });
    await zombie?.release();
    zombie = undefined;
  });

  const write = (): (() => void) => {
    const release = writePidFile(path);
    releases.push(release);
    return release;
  };

  it('should write the pid and leave no temporary file behind', () => {
    write();
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);
    expect(readdirSync(dir)).to.deep.equal(['app.pid']);
  });

  it('should remove the file on release(), once, and stop listening for exit', () => {
    const listeners = process.listenerCount('exit');
    const release = write();
    expect(process.listenerCount('exit')).to.equal(listeners + 1);
    release();
    release();
    expect(existsSync(path)).to.equal(false);
    expect(process.listenerCount('exit')).to.equal(listeners);
  });

  it('should not remove a file that another process has taken over since', () => {
    const release = write();
    writeFileSync(path, '1\n');
    release();
    expect(readFileSync(path, 'utf8')).to.equal('1\n');
  });

  it('should replace a stale file whose process is dead', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    writeFileSync(path, `${pid}\n`);
    write();
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);
  });

  it('should replace a stale file whose process exited but is not reaped yet (a zombie)', async function () {
    if (!existsSync('/proc/self/stat')) this.skip(); // only /proc tells a zombie
    zombie = await makeZombie();
    writeFileSync(path, `${zombie.pid}\n`);
    write();
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);
  });

  it('should replace a file that holds no pid', () => {
    writeFileSync(path, 'garbage');
    write();
    expect(readFileSync(path, 'utf8')).to.equal(`${process.pid}\n`);
  });

  it('should refuse a file held by a live process, naming the pid and the path', () => {
    writeFileSync(path, `${process.ppid}\n`);
    expect(() => write())
      .to.throw(ImproperlyConfiguredError)
      .with.property('message')
      .that.includes(String(process.ppid))
      .and.includes(path);
    expect(readFileSync(path, 'utf8')).to.equal(`${process.ppid}\n`);
    expect(readdirSync(dir)).to.deep.equal(['app.pid']);
  });

  it('should name the file as the caller says: a lock, not a pid file', () => {
    writeFileSync(path, `${process.ppid}\n`);
    expect(() => writePidFile(path, { what: 'the lock of the data directory', remedy: 'stop it' }))
      .to.throw(ImproperlyConfiguredError)
      .with.property('message')
      .that.equals(
        `the lock of the data directory ${path} belongs to process ${process.ppid}, which is running: stop it`,
      );
  });

  it('should throw ImproperlyConfiguredError when the folder does not exist', () => {
    path = join(dir, 'missing', 'app.pid');
    expect(() => write()).to.throw(ImproperlyConfiguredError, /cannot write the pid file/);
  });
});
