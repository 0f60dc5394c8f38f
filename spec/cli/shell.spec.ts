import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { ControlClient } from '../../lib/control/ControlClient.js';
import { findArbiter } from '../../lib/control/findArbiter.js';
import type { PsRow } from '../../lib/control/psRows.js';
import type { ShellResult } from '../../lib/control/shellEval.js';
import { bin, fixtureApp, RunningArbiter } from '../support/RunningArbiter.js';
import { hasTmux, Tmux } from '../support/Tmux.js';
import { waitFor } from '../support/waiting.js';

describe('rxpulsar shell', () => {
  let arbiter: RunningArbiter;
  let workers: PsRow[];

  before(async function () {
    this.timeout(60_000);
    arbiter = await new RunningArbiter().start(fixtureApp('ops'));
    workers = JSON.parse((await arbiter.cli(['ps', '--json'])).stdout) as PsRow[];
  });

  after(async function () {
    this.timeout(30_000);
    await arbiter.close();
  });

  // First of the file: the arbiter's shell module is not loaded yet.
  describe('cancel', () => {
    it('should never run an evaluation cancelled before the shell module loaded', async () => {
      const client = await ControlClient.connect(findArbiter({ env: arbiter.env }).socket);
      try {
        // Both in one write, so that the arbiter reads them in one chunk: sent
        // apart, the cancel could come after the module loaded (a busy
        // machine), when the evaluation has begun and is cancelled only then.
        const socket = (client as unknown as { socket: Socket }).socket;
        socket.cork();
        const answer = client.request('eval', {
          source: 'globalThis.cancelledRan = true; await new Promise((r) => setTimeout(r, 100))',
        });
        const cancelled = client.request('cancel', { target: client.lastId });
        socket.uncork();
        expect(await answer).to.deep.include({ cancelled: true });
        expect(await cancelled).to.equal(true);
        await new Promise((r) => setTimeout(r, 1000));
        const ran = await client.request('eval', { source: 'globalThis.cancelledRan === true' });
        expect(ran).to.deep.equal({ text: 'false' });
      } finally {
        client.close();
      }
    });
  });

  describe('-e EXPR', () => {
    it('should evaluate once in the arbiter, with top-level await, and print the result', async () => {
      const size = await arbiter.cli(['shell', '-e', 'arbiter.monitors.size']);
      expect(size).to.deep.include({ code: 0, stdout: '1\n' });
      const pong = await arbiter.cli(['shell', '-e', 'await send("arbiter", "ping")', '--json']);
      expect(pong).to.deep.include({ code: 0, stdout: '"pong"\n' });
      const info = await arbiter.cli(['shell', '--json', '-e', 'await send("ops", "info")']);
      expect(JSON.parse(info.stdout)).to.include({ name: 'ops', workers: 2 });
    });

    it('should evaluate inside an actor with --actor', async () => {
      const aid = workers[0]!.aid;
      const r = await arbiter.cli([
        'shell',
        '--actor',
        aid,
        '--json',
        '-e',
        '[actor.aid, actor.isThread()]',
      ]);
      expect(JSON.parse(r.stdout)).to.deep.equal([aid, true]);
    });

    it('should send what its code makes (objects, Dates, Maps) and import modules', async () => {
      const echoed = await arbiter.cli([
        'shell',
        '-e',
        'await send("arbiter", "echo", { a: 1, d: new Date(0), m: new Map([["k", JSON.parse("{}")]]) })',
      ]);
      expect(echoed).to.deep.include({
        code: 0,
        stdout: "{ a: 1, d: 1970-01-01T00:00:00.000Z, m: Map(1) { 'k' => {} } }\n",
      });
      const several = await arbiter.cli(['shell', '-e', 'const z = await Promise.resolve(5); z']);
      expect(several).to.deep.include({ code: 0, stdout: '5\n' });
      const imported = await arbiter.cli(['shell', '-e', '(await import("node:path")).sep']);
      expect(imported).to.deep.include({ code: 0, stdout: "'/'\n" });
    });

    it('should print a thrown error on stderr and exit 1', async () => {
      const r = await arbiter.cli(['shell', '-e', 'throw new RangeError("boom")']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Uncaught RangeError: boom\n {4}at shell:1:7/);
    });
  });

  describe('piped lines', () => {
    it('should answer them one at a time, in order, .enter and .leave included', async () => {
      const aid = workers[0]!.aid;
      const lines = [`.enter ${aid}`, 'actor.aid', '.leave', 'actor.name', ''].join('\n');
      const r = await arbiter.cli(['shell'], 60_000, lines);
      expect(r.code).to.equal(0);
      const order = [`entered`, `'${aid}'`, 'back in the arbiter', "'arbiter'"].map((s) =>
        r.stdout.indexOf(s),
      );
      expect(order.every((at) => at >= 0)).to.equal(true, r.stdout);
      expect([...order].sort((x, y) => x - y)).to.deep.equal(order, r.stdout);
    });
  });

  describe('errors', () => {
    it('should leave the arbiter and its actors serving after 1,000 evaluations that throw', async function () {
      this.timeout(120_000);
      const client = await ControlClient.connect(findArbiter({ env: arbiter.env }).socket);
      try {
        const sources = [
          'throw new Error("sync")',
          'await Promise.reject(new TypeError("async"))',
          'null.x',
          'setTimeout(() => { throw new Error("in a timer") }, 0)',
          '}{',
          'void Promise.reject(new Error("left behind"))',
          '(async () => { throw new Error("async, left behind") })(); 1',
          'void fetch("http://127.0.0.1:1/").then(() => 1)',
          'require("fs").readFile("/none", () => { throw new Error("in a callback") })',
        ];
        for (let i = 0; i < 1000; i++) {
          const actor = i % 10 === 0 ? workers[i % 20 === 0 ? 0 : 1]!.aid : undefined;
          await client.request('eval', { source: sources[i % sources.length], actor });
        }
        const r = (await client.request('eval', {
          source: `await send("${workers[1]!.aid}", "work", 1)`,
        })) as ShellResult;
        expect(r).to.deep.equal({ text: "'done'" });
      } finally {
        client.close();
      }
      const ps = JSON.parse((await arbiter.cli(['ps', '--json'])).stdout) as PsRow[];
      expect(ps.map((row) => row.aid)).to.deep.equal(workers.map((w) => w.aid));
    });
  });

  describe('interactive (in a terminal)', function () {
    this.timeout(40_000);
    let tmux: Tmux;
    let history: string;

    before(function () {
      if (!hasTmux()) this.skip(); // tmux missing: .ci/run installs it
    });

    beforeEach(() => {
      tmux = new Tmux();
      history = join(arbiter.runtime, 'history');
      tmux.start([process.execPath, bin, 'shell'], {
        XDG_RUNTIME_DIR: arbiter.runtime,
        RXPULSAR_SHELL_HISTORY: history,
        RXPULSAR_LOG_LEVEL: 'silent',
      });
    });

    afterEach(() => tmux.close());

    const enter = async (line: string, expected: RegExp): Promise<string> => {
      tmux.type(line);
      tmux.press('Enter');
      return tmux.waitScreen(expected);
    };

    it('should evaluate lines in the arbiter, multi-line input included, and keep variables', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      await enter('1 + 1', /^2$/m);
      await enter("await send('arbiter', 'ping')", /^'pong'$/m);
      await enter('const w = await send("ops", "info")', /^undefined$/m);
      await enter('w.workers * 10', /^20$/m);
      tmux.type('[1,');
      tmux.press('Enter');
      await tmux.waitScreen(/^\.\.\.$/m);
      await enter('2]', /^\[ 1, 2 \]$/m);
    });

    it('should show errors and go on', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      await enter('throw new Error("boom")', /^Uncaught Error: boom$/m);
      await enter('40 + 2', /^42$/m);
    });

    it('should list the actors with .actors and the info with .info', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      await enter('.actors', new RegExp(`^ops +ops +${workers[0]!.aid} `, 'm'));
      await enter('.info ops', /^workerConcurrency: thread$/m);
    });

    it('should evaluate inside an actor after .enter, until .leave', async () => {
      const aid = workers[1]!.aid;
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      await enter(`.enter ${aid}`, new RegExp(`rxpulsar:ops/${aid}>$`, 'm'));
      await enter('actor.aid', new RegExp(`^'${aid}'$`, 'm'));
      await enter('.leave', /^back in the arbiter\nrxpulsar:ops>$/m);
      await enter('actor.isArbiter()', /^true$/m);
    });

    it('should complete names over the socket with Tab', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      tmux.type('arbiter.monit');
      tmux.press('Tab');
      await tmux.waitScreen(/rxpulsar:ops> arbiter\.monitors$/m);
      tmux.type('.size');
      tmux.press('Enter');
      await tmux.waitScreen(/^rxpulsar:ops> arbiter\.monitors\.size\n1$/m);
    });

    it('should abort an evaluation on Ctrl-C, never the arbiter', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      tmux.type('await new Promise(() => {})');
      tmux.press('Enter');
      await new Promise((resolve) => setTimeout(resolve, 300));
      tmux.press('C-c');
      await tmux.waitScreen(/^Uncaught cancelled \(Ctrl-C\)$/m);
      await enter('6 * 7', /^42$/m);
      expect((await arbiter.cli(['ps'])).code).to.equal(0);
    });

    it('should exit on .exit and keep the history in a file', async () => {
      await tmux.waitScreen(/rxpulsar:ops>$/m);
      await enter('"remember me"', /^'remember me'$/m);
      tmux.type('.exit');
      tmux.press('Enter');
      await waitFor(() => !tmux.running(), 10_000, 'the shell exits');
      expect(readFileSync(history, 'utf8')).to.contain('"remember me"');
    });
  });
});
