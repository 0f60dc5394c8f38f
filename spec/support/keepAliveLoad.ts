/**
 * A bounded keep-alive HTTP load for the drain specs: N clients, each with
 * its own keep-alive agent (one socket), send GET requests one after the
 * other and count what came back. A request that was sent and got no
 * response (ECONNRESET, "socket hang up") is **lost**; a connection refused
 * (ECONNREFUSED: nothing was accepted) is counted apart, and ends that
 * client when `stopOnRefused` (the server is gone).
 */
import { Agent, request } from 'node:http';

/** What a load run counted. */
export interface LoadResult {
  /** Responses received (any status). */
  ok: number;
  /** Requests sent and never answered. */
  lost: number;
  /** Connections refused. */
  refused: number;
  /** Responses that asked to close the connection (`Connection: close`). */
  closes: number;
  /** Status codes other than 200. */
  bad: number;
  /** Error codes of the lost requests, counted. */
  errors: Record<string, number>;
}

/** A running load: `done` settles once every client stopped. */
export interface Load {
  /** Counts so far. */
  readonly result: LoadResult;
  /** Ask every client to stop after its current request. */
  stop(): void;
  /** Fired once every client stopped (at `stop()`, or after `ms`, or all refused). */
  readonly done: Promise<LoadResult>;
}

/** Options of {@link keepAliveLoad}. */
export interface LoadOptions {
  /** `host:port`. */
  address: string;
  /** Concurrent keep-alive clients (default 20). */
  clients?: number;
  /** Longest run, in ms (default 10 s). */
  ms?: number;
  /** A client stops at its first refused connection (a stop: the server is gone). */
  stopOnRefused?: boolean;
  /** Path requested (default `/`). */
  path?: string;
}

/** Start a load; see {@link Load}. */
export function keepAliveLoad(options: LoadOptions): Load {
  const [host, port] = options.address.split(':') as [string, string];
  const result: LoadResult = { ok: 0, lost: 0, refused: 0, closes: 0, bad: 0, errors: {} };
  let stopped = false;
  const timer = setTimeout(() => (stopped = true), options.ms ?? 10_000);
  const one = (agent: Agent): Promise<boolean> =>
    new Promise((resolve) => {
      const req = request({ host, port: Number(port), path: options.path ?? '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          result.ok++;
          if (res.statusCode !== 200) result.bad++;
          if (res.headers.connection === 'close') result.closes++;
          resolve(true);
        });
        res.on('error', () => undefined);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? err.message;
        if (code === 'ECONNREFUSED') {
          result.refused++;
          resolve(options.stopOnRefused !== true);
          return;
        }
        result.lost++;
        result.errors[code] = (result.errors[code] ?? 0) + 1;
        resolve(true);
      });
      req.end();
    });
  const client = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stopped) {
        if (!(await one(agent))) break;
      }
    } finally {
      agent.destroy();
    }
  };
  const done = Promise.all(Array.from({ length: options.clients ?? 20 }, client)).then(() => {
    clearTimeout(timer);
    return result;
  });
  return {
    result,
    stop: () => {
      stopped = true;
    },
    done,
  };
}
