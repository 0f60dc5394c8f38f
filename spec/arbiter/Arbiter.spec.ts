import { execFile, spawn as spawnChild } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ActorExitedError,
  ActorNotFoundError,
  ActorProxy,
  arbiter,
  CancelledError,
  HandshakeTimeoutError,
  CommandNotFoundError,
  ConfigError,
  EncodingError,
  getActor,
  send,
  spawn,
  TimeoutError,
  type Actor,
  type ActorExit,
  type Arbiter,
} from '../../lib/index.js';

import { removeStaleRuntimeDirs } from '../../lib/util/runtimeDir.js';
import { decode } from '../../lib/index.js';
import { alive, waitFor, rejection } from '../support/waiting.js';

const decodeArg = (value: unknown): unknown => decode(value);

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/actors/${name}.js`, import.meta.url));

describe('Arbiter', () => {
  let a: Arbiter;
  const exits: ActorExit[] = [];

  before(async () => {
    a = arbiter({ requestTimeout: 3000, exitTimeout: 2000 });
    a.events.actorExited$.subscribe((e) => exits.push(e));
    await a.start();
  });

  after(async () => {
    await a.stop();
  });

  describe('arbiter()', () => {
    it('should be the singleton actor of the main process', () => {
      expect(arbiter()).to.equal(a);
      expect(getActor()).to.equal(a);
      expect(a.isArbiter()).to.equal(true);
      expect(a.state).to.equal('running');
    });

    it('should answer its own commands', async () => {
      expect(await send('arbiter', 'ping')).to.equal('pong');
      expect(await send(a.aid, 'echo', 1, 2)).to.deep.equal([1, 2]);
    });

    it('should fail a request to an unknown target with ActorNotFoundError', async () => {
      const err = await rejection(send('nobody-here', 'ping'));
      expect(err).to.be.instanceOf(ActorNotFoundError);
    });
  });

  for (const concurrency of ['process', 'thread'] as const) {
    describe(`spawn() of a ${concurrency} actor`, () => {
      let proxy: ActorProxy;

      before(async () => {
        proxy = await spawn({ name: 'greeter', concurrency, module: fixture('greeter') });
      });

      after(async () => {
        await proxy.stop();
      });

      it('should give a proxy with the aid known at once', async () => {
        const d = spawn({ name: 'quick', concurrency });
        expect(d.aid).to.match(/^[0-9a-f]{8}$/);
        const p = await d;
        expect(p).to.be.instanceOf(ActorProxy);
        expect(p.aid).to.equal(d.aid);
        await p.stop();
      });

      it('should answer the built-in commands', async () => {
        expect(await send(proxy, 'ping')).to.equal('pong');
        expect(await send(proxy, 'echo', 'hi')).to.equal('hi');
        const info = (await send(proxy, 'info')) as Record<string, unknown>;
        expect(info).to.include({ aid: proxy.aid, name: 'greeter', state: 'running', concurrency });
        expect(info['pid']).to.be.a('number');
        expect(info['requests']).to.be.a('number');
        expect(await send(proxy, 'run', (actor: Actor, x: string) => actor.name + x, '!')).to.equal(
          'greeter!',
        );
      });

      it('should run the commands and hooks of its module', async () => {
        expect(await send(proxy, 'greet', 'bob')).to.equal('hello bob from greeter');
        expect(await proxy.send('greet', 'ann')).to.equal('hello ann from greeter');
      });

      it('should be reachable by name', async () => {
        expect(await send('greeter', 'ping')).to.equal('pong');
      });

      it('should run a command sent with tell(), which waits for no reply', async () => {
        const told = proxy.tell('run', (actor: Actor) => (actor.extra['told'] = true));
        expect(told.called, 'fired once on its way').to.equal(true);
        await told;
        expect(await send(proxy, 'run', (actor: Actor) => actor.extra['told'])).to.equal(true);
      });

      it('should answer an unknown command with CommandNotFoundError and keep serving', async () => {
        const err = await rejection(send(proxy, 'nope'));
        expect(err).to.be.instanceOf(CommandNotFoundError);
        expect((err as CommandNotFoundError).code).to.equal('RXP_ERR_COMMAND_NOT_FOUND');
        expect(await send(proxy, 'ping')).to.equal('pong');
      });

      it('should rebuild a remote error with its class and stack', async () => {
        const err = await rejection(send(proxy, 'fail'));
        expect(err).to.be.instanceOf(RangeError);
        expect(err.message).to.equal('out of range on purpose');
        expect(err.stack).to.contain('greeter');
      });

      it('should refuse a value that cannot travel, and keep serving', async () => {
        const err = await rejection(send(proxy, 'echo', Symbol('x')));
        expect(err).to.be.instanceOf(EncodingError);
        expect(await send(proxy, 'echo', new Map([[1, new Date(0)]]))).to.deep.equal(
          new Map([[1, new Date(0)]]),
        );
      });

      it('should run functions given as hooks, by source', async () => {
        const p = await spawn({
          name: 'hooked',
          concurrency,
          // The periodic task runs every timeout / 3; timeout is the
          // handshake's deadline too: room to start on a busy machine.
          timeout: 3000,
          start: (actor: Actor) => {
            actor.extra['ticks'] = 0;
          },
          periodicTask: (actor: Actor) => {
            actor.extra['ticks'] = Number(actor.extra['ticks']) + 1;
          },
          commands: { ticks: (actor: Actor) => actor.extra['ticks'] },
        });
        let ticks = 0;
        for (let i = 0; i < 100 && ticks <= 1; i++) {
          ticks = Number(await send(p, 'ticks'));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(ticks).to.be.greaterThan(1);
        await p.stop();
      });

      it('should fail the spawn with the error of a start hook that throws', async () => {
        const err = await rejection(
          spawn({
            name: 'bad-start',
            concurrency,
            start: () => {
              throw new TypeError('cannot start');
            },
          }),
        );
        expect(err).to.be.instanceOf(TypeError);
        expect(err.message).to.equal('cannot start');
      });

      it('should kill an actor that sends no handshake in time, with a HandshakeTimeoutError', async () => {
        const d = spawn({
          name: 'mute',
          concurrency,
          timeout: 500,
          start: () => new Promise(() => undefined),
        });
        const err = await rejection(d);
        expect(err).to.be.instanceOf(HandshakeTimeoutError).and.instanceOf(TimeoutError);
        expect((err as HandshakeTimeoutError).code).to.equal('RXP_ERR_HANDSHAKE_TIMEOUT');
        expect(err.message).to.contain('mute').and.contain(d.aid);
        await waitFor(() => exits.some((e) => e.aid === d.aid));
      });

      it('should fail the spawn of an actor that exits during its handshake', async () => {
        const err = await rejection(
          spawn({ name: 'quitter', concurrency, start: () => process.exit(3) }),
        );
        expect(err).to.be.instanceOf(ActorExitedError);
        expect(err.message).to.contain('quitter');
      });

      it('should fail a request whose target dies, instead of hanging', async () => {
        const p = await spawn({ name: 'doomed', concurrency, module: fixture('greeter') });
        const pending = send(p, 'hang');
        await send(p, 'ping');
        p.worker?.kill('SIGKILL');
        const err = await rejection(pending);
        expect(err).to.be.instanceOf(ActorExitedError);
        await waitFor(() => exits.some((e) => e.aid === p.aid));
      });

      it('should finish in-flight requests on a graceful stop', async () => {
        const p = await spawn({ name: 'busy', concurrency, module: fixture('greeter') });
        const slow = send(p, 'slow', 300, 'done');
        await send(p, 'ping');
        const stopped = p.stop();
        expect(await slow).to.equal('done');
        await stopped;
        const exit = exits.find((e) => e.aid === p.aid);
        expect(exit?.exitCode).to.equal(0);
      });

      it('should report the exit on actorExited$', async () => {
        const p = await spawn({ name: 'leaver', concurrency });
        await send(p, 'stop');
        await waitFor(() => exits.some((e) => e.aid === p.aid));
        const exit = exits.find((e) => e.aid === p.aid)!;
        expect(exit).to.include({ name: 'leaver', concurrency, exitCode: 0 });
      });
    });
  }

  describe('spawn() options', () => {
    it('should take the module as a URL too', async () => {
      const p = await spawn({
        name: 'by-url',
        module: new URL('../fixtures/actors/greeter.js', import.meta.url),
      });
      expect(await send(p, 'greet', 'url')).to.equal('hello url from by-url');
      await p.stop();
    });

    it('should kill the actor when its spawn is cancelled', async () => {
      const d = spawn({ name: 'cancelled', start: () => new Promise(() => undefined) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      d.cancel();
      expect(await rejection(d)).to.be.instanceOf(CancelledError);
      await waitFor(() => exits.some((e) => e.aid === d.aid));
      expect(a.actors.map((p) => p.aid)).not.to.include(d.aid);
    });

    it('should give spawned actors the arbiter timeouts unless they have their own', async () => {
      const p = await spawn({ name: 'timed', timeout: 7000 });
      const cfg = (await send(p, 'run', (actor: Actor) => actor.cfg)) as Record<string, unknown>;
      expect(cfg).to.include({ timeout: 7000, requestTimeout: 3000, exitTimeout: 2000 });
      await p.stop();
    });

    it('should take durations as the config files do ("3 seconds")', async () => {
      const p = await spawn({ name: 'worded', timeout: '3 seconds', exitTimeout: '1.5 s' });
      const cfg = (await send(p, 'run', (actor: Actor) => actor.cfg)) as Record<string, unknown>;
      expect(cfg).to.include({ timeout: 3000, exitTimeout: 1500 });
      await p.stop();
    });

    it('should fail the call with a ConfigError naming a bad duration or concurrency', async () => {
      const err = await rejection(
        spawn({ name: 'bad', timeout: 'soon', concurrency: 'fiber' as 'thread' }),
      );
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.key)).to.deep.equal([
        'timeout',
        'concurrency',
      ]);
      expect(err.message).to.contain('spawn("bad")');
    });

    it('should fail a spawn asked by another actor at the sender', async () => {
      const p = await spawn({ name: 'asker', concurrency: 'thread' });
      const entry = new URL('../../lib/index.js', import.meta.url).href;
      const message = await send(
        p,
        'run',
        async (_actor: Actor, url: string) => {
          const lib = (await import(url)) as typeof import('../../lib/index.js');
          return lib.spawn({ name: 'x', timeout: 'later' }).then(
            () => 'spawned',
            (err: unknown) => `${(err as Error).name}: ${(err as Error).message}`,
          );
        },
        entry,
      );
      expect(message).to.match(/^ConfigError: timeout = "later"/);
      await p.stop();
    });

    it('should answer a command registered with ack: false at once', async () => {
      const p = await spawn({ name: 'fire-and-forget', module: fixture('greeter') });
      await send(p, 'run', (actor: Actor) => {
        actor.command('later', () => new Promise(() => undefined), { ack: false });
      });
      expect(await send(p, 'later')).to.equal(undefined);
      await p.stop();
    });
  });

  describe('actors talking to actors', () => {
    let relay: ActorProxy;
    let other: ActorProxy;

    before(async () => {
      relay = await spawn({
        name: 'relay',
        module: fixture('relay'),
        entry: new URL('../../lib/index.js', import.meta.url).href,
      });
      other = await spawn({ name: 'other', concurrency: 'thread', module: fixture('greeter') });
    });

    after(async () => {
      await Promise.all([relay.stop(), other.stop()]);
    });

    it('should route a request by aid and by name through the arbiter', async () => {
      expect(await send(relay, 'sendTo', other.aid, 'greet', 'x')).to.equal('hello x from other');
      expect(await send(relay, 'sendTo', 'other', 'ping')).to.equal('pong');
      expect(await send(relay, 'sendTo', 'arbiter', 'echo', 7)).to.equal(7);
    });

    it('should answer ActorNotFoundError for an unknown target', async () => {
      const err = await rejection(send(relay, 'sendTo', 'ghost', 'ping'));
      expect(err).to.be.instanceOf(ActorNotFoundError);
    });

    it('should run the onParams hook of an actor that spawns', async () => {
      const aid = (await send(relay, 'run', async (actor: Actor) => {
        actor.events.params$.subscribe(({ params }) => {
          params['color'] = 'green';
        });
        const entry = (await import(String(actor.cfg['entry']))) as {
          spawn: (p: object) => PromiseLike<{ aid: string }>;
        };
        return (await entry.spawn({ name: 'painted' })).aid;
      })) as string;
      expect(await send(aid, 'run', (actor: Actor) => actor.cfg['color'])).to.equal('green');
      await a.stopActor(aid);
    });

    it('should let an actor spawn another one through the arbiter', async () => {
      const aid = (await send(relay, 'spawnChild', {
        name: 'grandchild',
        concurrency: 'thread',
      })) as string;
      expect(a.actors.map((p) => p.aid)).to.include(aid);
      expect(await send(aid, 'ping')).to.equal('pong');
      expect(await send(relay, 'sendTo', aid, 'ping')).to.equal('pong');
      await a.stopActor(aid);
    });

    it('should fail a routed request whose target dies', async () => {
      const victim = await spawn({ name: 'victim', module: fixture('greeter') });
      const pending = send(relay, 'sendTo', victim.aid, 'hang');
      await new Promise((resolve) => setTimeout(resolve, 100));
      victim.worker?.kill('SIGKILL');
      const err = await rejection(pending);
      expect(err).to.be.instanceOf(ActorExitedError);
      expect(await send(relay, 'ping')).to.equal('pong');
    });
  });

  describe('events', () => {
    it('should emit actorSpawned$ and params$ on the arbiter', async () => {
      const spawned: string[] = [];
      const params: Record<string, unknown>[] = [];
      const subs = [
        a.events.actorSpawned$.subscribe((p) => spawned.push(p.aid)),
        a.events.params$.subscribe((e) => params.push(e.params)),
      ];
      const p = await spawn({ name: 'evented', concurrency: 'thread', color: 'blue' });
      subs.forEach((s) => s.unsubscribe());
      expect(spawned).to.deep.equal([p.aid]);
      expect(params[0]).to.include({ name: 'evented', color: 'blue' });
      expect(await send(p, 'run', (actor: Actor) => actor.cfg['color'])).to.equal('blue');
      await p.stop();
    });

    it('should let info$ subscribers add to info()', async () => {
      const sub = a.events.info$.subscribe(({ info }) => {
        info['extra'] = 42;
      });
      expect(await send('arbiter', 'info')).to.include({ extra: 42, name: 'arbiter' });
      sub.unsubscribe();
    });

    for (const concurrency of ['process', 'thread'] as const) {
      it(`should drive the streams of a ${concurrency} actor`, async () => {
        const seen: string[] = [];
        const sub = a.events.message$.subscribe((request) => {
          if (request.cmd === 'echo') seen.push(String(decodeArg(request.args[0])));
        });
        const p = await spawn({
          name: 'watcher',
          concurrency,
          timeout: 3000, // heartbeats every second; the handshake's deadline
          module: fixture('watcher'),
        });
        await waitFor(() => Number(p.info['ticks']) > 0);
        const info = (await send(p, 'info')) as Record<string, unknown>;
        expect(info['last']).to.equal('info');
        await p.stop();
        sub.unsubscribe();
        expect(seen).to.include(`stopping ${p.aid}`).and.include(`stopping hook ${p.aid}`);
      });
    }
  });

  describe('stopping actors', () => {
    it('should force an actor that does not stop within exitTimeout', async () => {
      const p = await spawn({
        name: 'stubborn',
        exitTimeout: 300,
        stopping: () => new Promise(() => undefined),
      });
      await p.stop();
      const exit = exits.find((e) => e.aid === p.aid);
      expect(exit?.signal).to.equal('SIGTERM');
    });

    it('should stop an actor on kill_actor from another actor', async () => {
      const relay = await spawn({ name: 'killer', module: fixture('relay') });
      const target = await spawn({ name: 'target', concurrency: 'thread' });
      expect(await send(relay, 'sendTo', 'arbiter', 'kill_actor', target.aid)).to.equal(true);
      expect(exits.some((e) => e.aid === target.aid)).to.equal(true);
      expect(await send(relay, 'sendTo', 'arbiter', 'kill_actor', target.aid)).to.equal(false);
      await relay.stop();
    });
  });

  describe('requests', () => {
    it('should let the caller cancel a request, and ignore its late reply', async () => {
      const p = await spawn({ name: 'cancelled-call', module: fixture('greeter') });
      const slow = send(p, 'slow', 200, 'late');
      slow.cancel();
      expect(await rejection(slow)).to.be.instanceOf(CancelledError);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await send(p, 'echo', 'still here')).to.equal('still here');
      await p.stop();
    });

    it('should fail with a TimeoutError at their deadline', async () => {
      const p = await spawn({ name: 'sleepy', module: fixture('greeter') });
      const err = await rejection(send(p, 'hang'));
      expect(err).to.be.instanceOf(TimeoutError);
      expect(await send(p, 'ping')).to.equal('pong');
      await p.stop();
    });
  });
});

describe('Arbiter lifecycle', () => {
  it('should listen on its hub socket only from its first process actor on', async () => {
    const b = arbiter({ control: false });
    await b.start();
    try {
      const path = b.hubPath!;
      expect(existsSync(dirname(path))).to.equal(true);
      const thread = await b.spawn({ name: 'thread-only', concurrency: 'thread' });
      expect(await send(thread, 'ping')).to.equal('pong');
      expect(existsSync(path)).to.equal(false);
      const child = await b.spawn({ name: 'first-process', concurrency: 'process' });
      expect(await send(child, 'ping')).to.equal('pong');
      expect(existsSync(path)).to.equal(true);
    } finally {
      await b.stop();
    }
  });

  it('should let a script that stops its arbiter exit by itself', async () => {
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, [fixture('arbiter-script')], { timeout: 20_000 }, (err, out) =>
        err ? reject(new Error(err.message)) : resolve({ stdout: out }),
      );
    });
    expect(JSON.parse(stdout)).to.deep.equal(['pong', 'pong']);
  });

  it('should load a TypeScript module in a process actor under a TS loader (tsx)', async () => {
    const script = fileURLToPath(new URL('../../../spec/fixtures/loader/main.ts', import.meta.url));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }, (err, out) =>
        err ? reject(new Error(err.message)) : resolve({ stdout: out }),
      );
    });
    expect(JSON.parse(stdout)).to.deep.equal(['hello bob from ts-process (ts)']);
  });

  it('should leave no orphan when the arbiter dies', async () => {
    const child = spawnChild(process.execPath, [fixture('orphan-arbiter')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    });
    expect(alive(pid)).to.equal(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitFor(() => !alive(pid), 20_000, 'the orphan gone');
    // Its runtime folder stays behind; the next arbiter's start removes it.
    removeStaleRuntimeDirs();
    const prefix = `rxpulsar-${child.pid}-`;
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(prefix))).to.deep.equal([]);
  });
});
