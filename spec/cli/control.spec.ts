import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type { PsRow } from '../../lib/control/psRows.js';
import { fixtureApp, RunningArbiter } from '../support/RunningArbiter.js';

const ops = fixtureApp('ops');

/** Send one request line to the arbiter's control socket; resolves with its answer, parsed. */
async function request(
  arbiter: RunningArbiter,
  req: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entry = join(arbiter.runtime, 'rxpulsar', `${String(arbiter.ready['pid'])}.json`);
  const { socket: path } = JSON.parse(readFileSync(entry, 'utf8')) as { socket: string };
  const socket = connect(path);
  try {
    socket.write(`${JSON.stringify(req)}\n`);
    const [line] = (await once(createInterface({ input: socket }), 'line')) as [string];
    return JSON.parse(line) as Record<string, unknown>;
  } finally {
    socket.destroy();
  }
}

describe('rxpulsar ps | info | scale | reload | stop', () => {
  let arbiter: RunningArbiter;

  before(async function () {
    this.timeout(60_000);
    arbiter = await new RunningArbiter().start(ops);
  });

  after(async function () {
    this.timeout(30_000);
    await arbiter.close();
  });

  const rows = async (): Promise<PsRow[]> => {
    const { code, stdout } = await arbiter.cli(['ps', '--json']);
    expect(code).to.equal(0);
    return JSON.parse(stdout) as PsRow[];
  };

  describe('ps', () => {
    it('should print a table of the workers with --name or without', async () => {
      for (const args of [['ps'], ['ps', '--name', 'ops']]) {
        const { code, stdout } = await arbiter.cli(args);
        expect(code).to.equal(0);
        const lines = stdout.trim().split('\n');
        expect(lines[0]).to.match(
          /^APP\s+MONITOR\s+AID\s+PID\s+STATE\s+AGE\s+REQUESTS\s+IN FLIGHT\s+MEMORY\s+RESTARTS\s+BREAKER$/,
        );
        expect(lines.slice(1)).to.have.length(2);
        for (const line of lines.slice(1))
          expect(line).to.match(/^ops\s+ops\s+\w{8}\s+\d+\/t\d+\s+running\s/);
      }
    });

    it('should give the rows as JSON with --json', async () => {
      const list = await rows();
      expect(list).to.have.length(2);
      expect(list[0]).to.include({
        app: 'ops',
        monitor: 'ops',
        state: 'running',
        breaker: 'closed',
      });
      expect(list[0]!.pid).to.equal(arbiter.ready['pid']);
    });

    it('should say so with exit 1 when no arbiter of that name runs', async () => {
      const { code, stdout, stderr } = await arbiter.cli(['ps', '--name', 'nobody']);
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr.trim().split('\n')).to.deep.equal([
        'rxpulsar ps: no running arbiter is named "nobody"',
      ]);
    });

    it('should refuse an unknown flag with exit 2', async () => {
      const { code, stderr } = await arbiter.cli(['ps', '--bogus']);
      expect(code).to.equal(2);
      expect(stderr).to.match(
        /^rxpulsar ps: unknown option --bogus\nUsage: rxpulsar ps \[--name NAME \| --pid-file FILE\] \[--json\]\n$/,
      );
    });
  });

  describe('info', () => {
    it('should print the info tree of the arbiter, an app and an actor', async () => {
      const tree = await arbiter.cli(['info']);
      expect(tree.code).to.equal(0);
      expect(tree.stdout)
        .to.match(/^concurrency: arbiter$/m)
        .and.match(/^ {2}- aid: \w+\n {4}name: ops$/m);
      const app = JSON.parse((await arbiter.cli(['info', 'ops', '--json'])).stdout) as Record<
        string,
        unknown
      >;
      expect(app).to.include({ name: 'ops', workers: 2, concurrency: 'monitor' });
      const [first] = await rows();
      const actor = JSON.parse(
        (await arbiter.cli(['info', first!.aid, '--json'])).stdout,
      ) as Record<string, unknown>;
      expect(actor).to.include({ aid: first!.aid, concurrency: 'thread', app: 'ops' });
    });

    it('should fail with exit 1 on an unknown aid or name', async () => {
      const { code, stderr } = await arbiter.cli(['info', 'nope']);
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal('rxpulsar info: no app, monitor or actor "nope"');
    });
  });

  describe('scale', () => {
    it('should resize the pool to N, +N and -N and answer once it has that size', async () => {
      expect((await arbiter.cli(['scale', 'ops', '+2'])).stdout.trim()).to.equal(
        'ops: 2 → 4 workers',
      );
      expect(await rows()).to.have.length(4);
      expect((await arbiter.cli(['scale', 'ops', '-1'])).stdout.trim()).to.equal(
        'ops: 4 → 3 workers',
      );
      const scaled = JSON.parse(
        (await arbiter.cli(['scale', 'ops', '2', '--json'])).stdout,
      ) as Record<string, unknown>;
      expect(scaled).to.deep.equal({ app: 'ops', from: 3, to: 2, workers: 2, ready: true });
      expect(await rows()).to.have.length(2);
    });

    it('should refuse a size below 0 with exit 2, and an unknown app with exit 1', async () => {
      const below = await arbiter.cli(['scale', 'ops', '-3']);
      expect(below.code).to.equal(2);
      expect(below.stderr.trim()).to.equal('rxpulsar scale: cannot scale "ops" below 0 (2 -3)');
      const unknown = await arbiter.cli(['scale', 'web', '1']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr.trim()).to.equal(
        'rxpulsar scale: no app "web" in this arbiter (apps: ops)',
      );
      const bad = await arbiter.cli(['scale', 'ops', 'many']);
      expect(bad.code).to.equal(2);
    });

    it('should refuse more than 1024 workers with exit 2 (an error reply to the op), serving on', async () => {
      const huge = await arbiter.cli(['scale', 'ops', '1000000000']);
      expect(huge.code).to.equal(2);
      expect(huge.stderr.trim()).to.equal(
        'rxpulsar scale: cannot scale "ops" above 1024 workers, the most a pool has (2 1000000000)',
      );
      expect((await arbiter.cli(['scale', 'ops', '+1023'])).code).to.equal(2);
      // The op as a client of the socket sends it, a JSON number.
      const reply = await request(arbiter, { id: 5, op: 'scale', app: 'ops', n: 1e9 });
      expect(reply).to.deep.include({ id: 5, ok: false });
      expect(reply['error']).to.deep.include({
        code: 'RXP_ERR_IMPROPERLY_CONFIGURED',
        message: 'cannot scale "ops" above 1024 workers, the most a pool has (2 1000000000)',
      });
      expect(await rows()).to.have.length(2);
    });
  });

  describe('reload', () => {
    it('should replace every worker, successors first', async () => {
      const before = (await rows()).map((r) => r.aid);
      const { code, stdout } = await arbiter.cli(['reload', 'ops']);
      expect(code).to.equal(0);
      expect(stdout.trim()).to.equal('ops: 2 workers replaced');
      const after = (await rows()).map((r) => r.aid);
      expect(after).to.have.length(2);
      expect(after.filter((aid) => before.includes(aid))).to.deep.equal([]);
    });
  });

  describe('stop', () => {
    it('should stop the arbiter gracefully; then none runs', async () => {
      const { code, stdout } = await arbiter.cli(['stop']);
      expect(code).to.equal(0);
      expect(stdout.trim()).to.equal(`arbiter ${String(arbiter.ready['pid'])} stopped`);
      expect(await arbiter.exit()).to.equal(0);
      const ps = await arbiter.cli(['ps']);
      expect(ps.code).to.equal(1);
      expect(ps.stderr).to.contain('no arbiter is running');
    });
  });
});

describe('rxpulsar reload (under load)', () => {
  let arbiter: RunningArbiter;

  before(async function () {
    this.timeout(60_000);
    arbiter = await new RunningArbiter().start(fixtureApp('cli-hello'), [
      '--bind',
      '127.0.0.1:0',
      '--exit-timeout',
      '10 seconds',
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await arbiter.close();
  });

  it('should lose no request while every worker is replaced', async function () {
    this.timeout(90_000);
    const [host, port] = String(arbiter.ready['address']).split(':') as [string, string];
    const statuses: number[] = [];
    let running = true;
    const client = async (): Promise<void> => {
      while (running) {
        const res = await fetch(`http://${host}:${port}/slow?ms=50`, {
          headers: { connection: 'close' },
        }).catch((err: unknown) => ({ status: 0, text: () => Promise.resolve(String(err)) }));
        await res.text();
        statuses.push(res.status);
      }
    };
    const load = Promise.all([client(), client(), client(), client()]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const { code, stdout } = await arbiter.cli(['reload', '--json']);
      expect(code).to.equal(0);
      expect(JSON.parse(stdout)).to.deep.include({ ready: true });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      running = false;
      await load;
    }
    expect(statuses.length).to.be.above(10);
    expect(statuses.filter((s) => s !== 200)).to.deep.equal([]);
  });

  it('should stop at once with stop --fast', async () => {
    const { code, stdout } = await arbiter.cli(['stop', '--fast', '--json']);
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({ pid: arbiter.child!.pid, stopped: true });
    expect(await arbiter.exit()).to.equal(0);
  });
});
