/**
 * The operations of an arbiter's control socket: `ps`, `info`, `scale`,
 * `reload`, `stop`, and the shell's `eval`, `complete`, `cancel`.
 * @module
 */
import type { Socket } from 'node:net';
import { ActorNotFoundError, ImproperlyConfiguredError } from '../errors.js';
import type { Arbiter } from '../arbiter/Arbiter.js';
import { MAX_POOL_WORKERS } from '../monitor/MonitorParams.js';
import type { ControlHandler, ControlRequest } from './ControlServer.js';
import type { ShellEvalOptions } from './shellEval.js';

// `ps` and the shell's modules are loaded by the first request that needs
// them: an arbiter's start (a test run's) no longer pays for them.
const psModule = (): Promise<typeof import('./psRows.js')> => import('./psRows.js');
const shellModule = (): Promise<typeof import('./shellEval.js')> => import('./shellEval.js');

/** A monitor of the arbiter (typed through it: control/ sits beside actor/, under monitor/). */
type Monitor = NonNullable<ReturnType<Arbiter['monitors']['get']>>;

/** How the arbiter stops on `stop`: by its own signal handlers when it has them. */
export interface StopHow {
  /** `true` when the arbiter handles SIGTERM/SIGQUIT (then `stop` sends them to itself). */
  signals: boolean;
}

/** A string argument of a request, or `fallback`. */
const str = (v: unknown, fallback = ''): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until `done()` or the deadline; resolves with `done()`'s last answer. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
  return done();
}

function monitorOf(arbiter: Arbiter, app: unknown): Monitor {
  if (typeof app !== 'string' || app === '')
    throw new ImproperlyConfiguredError('an app name is needed');
  const monitor = arbiter.monitors.get(app);
  if (monitor === undefined) {
    const known = [...arbiter.monitors.keys()].join(', ') || 'none';
    throw new ActorNotFoundError(`no app "${app}" in this arbiter (apps: ${known})`);
  }
  return monitor;
}

async function info(arbiter: Arbiter, target: unknown): Promise<unknown> {
  if (target === undefined || target === null || target === '' || target === 'arbiter') {
    return arbiter.info();
  }
  const name = str(target);
  const monitor = arbiter.monitors.get(name);
  if (monitor !== undefined) return monitor.info();
  const proxy = arbiter.actors.find((p) => p.aid === name || p.name === name);
  if (proxy === undefined) throw new ActorNotFoundError(`no app, monitor or actor "${name}"`);
  return arbiter.send(proxy.aid, 'info');
}

async function scale(arbiter: Arbiter, app: unknown, n: unknown): Promise<unknown> {
  const monitor = monitorOf(arbiter, app);
  const text = str(n);
  if (!/^[+-]?\d+$/.test(text)) {
    throw new ImproperlyConfiguredError(`scale needs N, +N or -N workers, not "${text}"`);
  }
  const from = monitor.workers;
  const to = /^[+-]/.test(text) ? from + Number(text) : Number(text);
  if (to < 0)
    throw new ImproperlyConfiguredError(`cannot scale "${monitor.name}" below 0 (${from} ${text})`);
  if (to > MAX_POOL_WORKERS) {
    throw new ImproperlyConfiguredError(
      `cannot scale "${monitor.name}" above ${MAX_POOL_WORKERS} workers, the most a pool has (${from} ${text})`,
    );
  }
  monitor.resize(to, 'rxpulsar scale');
  const ready = await until(
    () => monitor.managedActors.length === to && monitor.spawningActors.length === 0,
    monitor.cfg.timeout,
  );
  return { app: monitor.name, from, to, workers: monitor.managedActors.length, ready };
}

async function reload(arbiter: Arbiter, app: unknown): Promise<unknown> {
  const monitors =
    app === undefined || app === null || app === ''
      ? [...arbiter.monitors.values()]
      : [monitorOf(arbiter, app)];
  const before = new Map(monitors.map((m) => [m, new Set(m.managedActors.map((p) => p.aid))]));
  if (monitors.length === arbiter.monitors.size) await arbiter.reload();
  else for (const m of monitors) m.restartWorkers();
  const replaced = (m: Monitor): boolean =>
    m.managedActors.length >= m.workers && m.managedActors.every((p) => !before.get(m)!.has(p.aid));
  const wait = Math.max(...monitors.map((m) => m.cfg.timeout + m.cfg.exitTimeout), 0);
  const ready = await until(() => monitors.every(replaced), wait);
  return {
    ready,
    apps: monitors.map((m) => ({
      app: m.name,
      replaced: before.get(m)!.size,
      workers: m.managedActors.length,
    })),
  };
}

function stop(arbiter: Arbiter, fast: boolean, how: StopHow): unknown {
  // After the answer is written: the client sees it before the socket closes.
  setImmediate(() => {
    if (how.signals) process.kill(process.pid, fast ? 'SIGQUIT' : 'SIGTERM');
    else void (fast ? arbiter.terminate() : arbiter.stop());
  });
  return { pid: process.pid, stopping: fast ? 'fast' : 'graceful' };
}

/**
 * The handlers of the control socket of `arbiter`.
 *
 * @param arbiter - the arbiter they act on.
 * @param how - how `stop` stops it.
 * @returns the handlers, by op.
 * @example
 * ```ts
 * const server = new ControlServer(controlOps(arbiter, { signals: true }));
 * ```
 */
export function controlOps(arbiter: Arbiter, how: StopHow): Record<string, ControlHandler> {
  // Evaluations waiting, by connection and request id: `cancel` answers them at once.
  const running = new Map<string, (reason: string) => void>();
  const connections = new WeakMap<Socket, number>();
  let lastConnection = 0;
  const key = (socket: Socket, id: unknown): string => {
    let n = connections.get(socket);
    if (n === undefined) connections.set(socket, (n = ++lastConnection));
    return `${n}:${String(id)}`;
  };
  const evaluate = async (req: ControlRequest, socket: Socket): Promise<unknown> => {
    const source = str(req['source']);
    const options = (req['options'] ?? {}) as ShellEvalOptions;
    const target = req['actor'];
    let proxyAid: string | undefined;
    if (!(target === undefined || target === null || target === '' || target === 'arbiter')) {
      const proxy = arbiter.actors.find((p) => p.aid === target || p.name === target);
      if (proxy === undefined)
        throw new ActorNotFoundError(`no actor "${str(target)}" to evaluate in`);
      proxyAid = proxy.aid;
    }
    const k = key(socket, req.id);
    let isCancelled = false;
    const cancelled = new Promise<unknown>((resolve) =>
      running.set(k, (reason) => {
        isCancelled = true;
        resolve({ text: `Uncaught ${reason}`, thrown: true, cancelled: true });
      }),
    );
    // The shell's module loads with the first evaluation: one cancelled
    // meanwhile never runs.
    const work = shellModule().then(({ shellEval }) =>
      isCancelled
        ? undefined
        : proxyAid === undefined
          ? shellEval(arbiter, source, options)
          : arbiter.send(proxyAid, 'run', shellEval, source, options),
    );
    try {
      return await Promise.race([work, cancelled]);
    } finally {
      running.delete(k);
    }
  };
  return {
    ping: () => 'pong',
    ps: async () => (await psModule()).psRows(arbiter),
    info: (req) => info(arbiter, req['target']),
    scale: (req) => scale(arbiter, req['app'], req['n']),
    reload: (req) => reload(arbiter, req['app']),
    stop: (req) => stop(arbiter, req['fast'] === true, how),
    eval: evaluate,
    complete: async (req) => {
      const line = str(req['line']);
      const target = req['actor'];
      const { shellComplete } = await shellModule();
      if (target === undefined || target === null || target === '')
        return shellComplete(arbiter, line);
      return arbiter.send(str(target), 'run', shellComplete, line);
    },
    cancel: (req, socket) => {
      const cancel = running.get(key(socket, req['target']));
      cancel?.('cancelled (Ctrl-C)');
      return cancel !== undefined;
    },
  };
}
