/**
 * A keep-alive HTTP load that counts lost requests: N clients, each with
 * its own keep-alive agent (one socket), send GET requests one after the
 * other. A request sent and never answered (ECONNRESET, "socket hang up")
 * is lost; a refused connection (nothing accepted) is counted apart.
 * @module
 */
import { Agent, request } from 'node:http';

/** What a load counted. */
export interface LoadCounts {
  /** Responses received. */
  ok: number;
  /** Requests sent and never answered. */
  lost: number;
  /** Connections refused. */
  refused: number;
}

/**
 * Load `address` for `ms` (or until every client was refused, with
 * `stopOnRefused`), calling `during` once the load runs.
 *
 * @param address - `host:port`.
 * @param clients - concurrent keep-alive clients.
 * @param ms - longest run.
 * @param during - what to do to the server under load; the load ends once it settled and `ms` passed.
 * @param stopOnRefused - a client stops at its first refused connection (the server stops).
 * @returns the counts.
 * @example
 * ```ts
 * const { lost } = await keepAliveLoad('127.0.0.1:8060', 20, 5000, async () => reload());
 * ```
 */
export async function keepAliveLoad(
  address: string,
  clients: number,
  ms: number,
  during: () => Promise<unknown>,
  stopOnRefused = false,
): Promise<LoadCounts> {
  const [host, port] = address.split(':') as [string, string];
  const counts: LoadCounts = { ok: 0, lost: 0, refused: 0 };
  let stopped = false;
  const one = (agent: Agent): Promise<boolean> =>
    new Promise((resolve) => {
      const req = request({ host, port: Number(port), path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          counts.ok++;
          resolve(true);
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') {
          counts.refused++;
          resolve(!stopOnRefused);
        } else {
          counts.lost++;
          resolve(true);
        }
      });
      req.end();
    });
  const client = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stopped && (await one(agent)));
    } finally {
      agent.destroy();
    }
  };
  const running = Promise.all(Array.from({ length: clients }, client));
  const timer = new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.all([during(), timer]);
  stopped = true;
  await running;
  return counts;
}
