/**
 * A bounded load on a line protocol (spec/fixtures/apps/line-echo): N
 * clients, each on one connection, send a line and wait for its echo, one
 * after the other. A reply `bye: …` means "connect again". A line
 * sent whose echo never came is **lost**; a refused connection is counted
 * apart and ends that client when `stopOnRefused`.
 */
import { connect } from 'node:net';
import type { LoadOptions, LoadResult } from './keepAliveLoad.js';

/** A running load: `done` settles once every client stopped. */
export interface LineLoad {
  readonly result: LoadResult;
  stop(): void;
  readonly done: Promise<LoadResult>;
}

/** Start a line load; see {@link LineLoad}. `closes` counts the `bye`s. */
export function lineLoad(options: Omit<LoadOptions, 'path'>): LineLoad {
  const [host, port] = options.address.split(':') as [string, string];
  const result: LoadResult = { ok: 0, lost: 0, refused: 0, closes: 0, bad: 0, errors: {} };
  let stopped = false;
  const timer = setTimeout(() => (stopped = true), options.ms ?? 10_000);
  /** One connection: resolves `true` to connect again, `false` to stop. */
  const session = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect(Number(port), host);
      socket.setEncoding('utf8');
      let received = '';
      let waiting = false;
      let n = 0;
      let finished = false;
      const finish = (again: boolean): void => {
        if (finished) return;
        finished = true;
        socket.destroy();
        resolve(again);
      };
      const next = (): void => {
        if (stopped) {
          finish(false);
          return;
        }
        waiting = true;
        socket.write(`line ${n++}\n`);
      };
      socket.on('connect', next);
      socket.on('data', (chunk: string) => {
        received += chunk;
        let newline = received.indexOf('\n');
        while (newline !== -1) {
          const line = received.slice(0, newline);
          received = received.slice(newline + 1);
          newline = received.indexOf('\n');
          if (line.startsWith('bye: ')) {
            waiting = false;
            result.ok++;
            result.closes++;
            finish(true);
            return;
          }
          if (line.startsWith('echo: ')) {
            waiting = false;
            result.ok++;
            next();
          } else result.bad++;
        }
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? err.message;
        if (code === 'ECONNREFUSED') {
          result.refused++;
          finish(options.stopOnRefused !== true);
          return;
        }
        if (waiting) {
          waiting = false;
          result.lost++;
          result.errors[code] = (result.errors[code] ?? 0) + 1;
        }
        finish(true);
      });
      socket.on('close', () => {
        if (waiting) {
          waiting = false;
          result.lost++;
          result.errors['closed'] = (result.errors['closed'] ?? 0) + 1;
        }
        finish(true);
      });
    });
  const client = async (): Promise<void> => {
    while (!stopped && (await session()));
  };
  const done = Promise.all(Array.from({ length: options.clients ?? 20 }, client)).then(() => {
    clearTimeout(timer);
    return result;
  });
  return { result, stop: () => (stopped = true), done };
}
