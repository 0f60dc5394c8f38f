import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ImproperlyConfiguredError, InvalidStateError } from '../../lib/index.js';
import { listArbiters, registryDir, type ArbiterEntry } from '../../lib/control/arbiterRegistry.js';
import { findArbiter } from '../../lib/control/findArbiter.js';

describe('findArbiter()', () => {
  let base: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const entry = (pid: number, name: string, apps: string[] = [name]): ArbiterEntry => {
    const socket = join(dir, `${pid}.sock`);
    writeFileSync(socket, '');
    const e = { pid, name, apps, socket, startedAt: pid };
    writeFileSync(join(dir, `${pid}.json`), JSON.stringify(e));
    return e;
  };

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'rxp-find-spec-'));
    env = { XDG_RUNTIME_DIR: base };
    dir = registryDir(env);
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('should keep the registry in a folder of mode 0700 that does not depend on a random name', () => {
    expect(dir).to.equal(join(base, 'rxpulsar'));
    expect(registryDir({}).endsWith(`rxpulsar-uid-${process.getuid?.() ?? 0}`)).to.equal(true);
  });

  it('should find the only arbiter running', () => {
    const e = entry(process.pid, 'web');
    expect(findArbiter({ env })).to.deep.equal(e);
  });

  it('should ignore and remove the entries of dead arbiters', () => {
    entry(2 ** 22 + 7, 'dead');
    writeFileSync(join(dir, '123.json'), '{not json');
    expect(() => findArbiter({ env })).to.throw(InvalidStateError, 'no arbiter is running');
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).to.deep.equal([]);
  });

  it('should refuse to choose among several without --name (usage), and choose with it', () => {
    const web = entry(process.pid, 'web');
    const jobs = entry(process.ppid, 'jobs', ['tasks', 'mail']);
    expect(listArbiters(env)).to.have.length(2);
    expect(() => findArbiter({ env })).to.throw(
      ImproperlyConfiguredError,
      /2 arbiters are running: .*--name/,
    );
    expect(findArbiter({ env, name: 'web' })).to.deep.equal(web);
    expect(findArbiter({ env, name: 'mail' })).to.deep.equal(jobs);
    expect(() => findArbiter({ env, name: 'x' })).to.throw(
      InvalidStateError,
      'no running arbiter is named "x"',
    );
  });

  it('should choose by --pid-file', () => {
    entry(process.pid, 'web');
    const jobs = entry(process.ppid, 'jobs');
    const pidFile = join(base, 'jobs.pid');
    writeFileSync(pidFile, `${process.ppid}\n`);
    expect(findArbiter({ env, pidFile })).to.deep.equal(jobs);
    expect(() => findArbiter({ env, pidFile: join(base, 'none.pid') })).to.throw(
      InvalidStateError,
      'no pid file',
    );
  });
});
