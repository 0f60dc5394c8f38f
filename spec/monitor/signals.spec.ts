import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { alive } from '../support/waiting.js';

const script = fileURLToPath(new URL('../fixtures/actors/pool-arbiter.js', import.meta.url));

interface Event {
  event: string;
  [key: string]: unknown;
}

/** The pool arbiter in its own process, and the events it prints. */
class PoolProcess {
  readonly events: Event[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(workers = 2, startDelay = 0, gracefulTimeout = 30_000) {
    this.child = spawn(process.execPath, [script], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        POOL_WORKERS: String(workers),
        POOL_START_DELAY: String(startDelay),
        POOL_GRACEFUL_TIMEOUT: String(gracefulTimeout),
      },
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as Event);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async until(check: (events: Event[]) => boolean, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this.events)) {
      if (Date.now() > deadline) {
        throw new Error(`not seen within ${ms} ms; events: ${JSON.stringify(this.events)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  count(name: string): number {
    return this.events.filter((e) => e.event === name).length;
  }

  /** Live workers: spawned and not exited. */
  live(): string[] {
    const exited = new Set(this.events.filter((e) => e.event === 'exited').map((e) => e.aid));
    return this.events
      .filter((e) => e.event === 'spawned' && !exited.has(e.aid))
      .map((e) => String(e.aid));
  }

  pids(): number[] {
    return this.events.filter((e) => e.event === 'spawned').map((e) => Number(e.pid));
  }

  /** Make sure it is gone (a failed test must not leave it running). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('Arbiter signals', () => {
  let pool: PoolProcess;

  afterEach(async () => {
    await pool.kill();
  });

  it('should stop gracefully on SIGTERM: in-flight work finishes, exit 0', async () => {
    pool = new PoolProcess();
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    pool.child.stdin!.write('slow 500\n');
    await pool.until((e) => e.some((x) => x.event === 'sent'));
    pool.child.kill('SIGTERM');
    expect(await pool.exited).to.equal(0);
    expect(pool.events).to.deep.include({ event: 'answer', value: 'finished' });
    for (const pid of pool.pids()) expect(alive(pid)).to.equal(false);
  });

  it('should stop gracefully on SIGINT, and fast on a second one', async () => {
    pool = new PoolProcess();
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    pool.child.stdin!.write('slow 10000\n');
    await pool.until((e) => e.some((x) => x.event === 'sent'));
    pool.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    pool.child.kill('SIGINT');
    expect(await pool.exited).to.equal(0);
    for (const pid of pool.pids()) expect(alive(pid)).to.equal(false);
  });

  it('should turn a graceful stop fast past gracefulTimeout', async () => {
    pool = new PoolProcess(2, 0, 300);
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    // 1.5 s of work fits in the workers' exitTimeout (3 s), not in gracefulTimeout.
    pool.child.stdin!.write('slow 1500\n');
    await pool.until((e) => e.some((x) => x.event === 'sent'));
    pool.child.kill('SIGTERM');
    expect(await pool.exited).to.equal(0);
    expect(pool.events).not.to.deep.include({ event: 'answer', value: 'finished' });
    for (const pid of pool.pids()) expect(alive(pid)).to.equal(false);
  });

  it('should stop at once on SIGQUIT', async () => {
    pool = new PoolProcess();
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    pool.child.stdin!.write('slow 10000\n');
    await pool.until((e) => e.some((x) => x.event === 'sent'));
    pool.child.kill('SIGQUIT');
    expect(await pool.exited).to.equal(0);
    expect(pool.events).not.to.deep.include({ event: 'answer', value: 'finished' });
    for (const pid of pool.pids()) expect(alive(pid)).to.equal(false);
  });

  it('should replace every worker on SIGHUP, successors first', async () => {
    pool = new PoolProcess();
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    const before = pool.live();
    pool.child.kill('SIGHUP');
    await pool.until(
      () => pool.live().length === 2 && pool.live().every((a) => !before.includes(a)),
    );
    // Never fewer than two workers alive during the rolling restart.
    const alive = new Set<unknown>(before);
    let least = Infinity;
    for (const e of pool.events.slice(pool.events.findIndex((x) => x.event === 'ready'))) {
      if (e.event === 'spawned') alive.add(e.aid);
      if (e.event === 'exited') alive.delete(e.aid);
      if (e.event === 'exited') least = Math.min(least, alive.size);
    }
    expect(least, JSON.stringify(pool.events)).to.be.at.least(2);
    pool.child.kill('SIGTERM');
    expect(await pool.exited).to.equal(0);
  });

  it('should add and remove workers on SIGTTIN/SIGTTOU, and survive a burst', async () => {
    pool = new PoolProcess(1);
    await pool.until((e) => e.some((x) => x.event === 'ready'));
    for (const signal of ['SIGTTIN', 'SIGTTIN', 'SIGTTOU'] as const) {
      const resized = pool.count('resized');
      pool.child.kill(signal);
      await pool.until(() => pool.count('resized') === resized + 1);
    }
    await pool.until(() => pool.live().length === 2);
    // A burst: the kernel may merge repeated signals, so only consistency is certain.
    for (let i = 0; i < 10; i++) pool.child.kill(i % 2 === 0 ? 'SIGTTIN' : 'SIGTTOU');
    for (let i = 0; i < 5; i++) pool.child.kill('SIGTTOU');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const target = (): number => {
      const last = pool.events.filter((e) => e.event === 'resized').at(-1);
      return Number(last?.['to']);
    };
    await pool.until(() => pool.live().length === target());
    pool.child.kill('SIGTTIN');
    await pool.until(() => pool.live().length === target() && target() >= 1);
    pool.child.kill('SIGTERM');
    expect(await pool.exited).to.equal(0);
  });

  it('should handle SIGTERM during start without a crash', async () => {
    pool = new PoolProcess(2, 2000);
    await pool.until(() => pool.count('starting') === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pool.count('ready')).to.equal(0);
    pool.child.kill('SIGTERM');
    expect(await pool.exited).to.equal(0);
    for (const pid of pool.pids()) expect(alive(pid)).to.equal(false);
  });
});
