/**
 * A Prometheus stand-in: another process that GETs a `/metrics` URL every
 * so often, so that a bench measures what scrapes cost the arbiter, not
 * what the scraping client costs the bench's own event loop.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

// Counts the answered scrapes; prints the count when its stdin closes.
const SCRIPT = `
const [url, every] = process.argv.slice(1);
let ok = 0;
const timer = setInterval(() => {
  fetch(url).then((r) => r.text().then(() => { if (r.ok) ok++; }), () => undefined);
}, Number(every));
process.stdin.resume();
process.stdin.on('end', () => { clearInterval(timer); process.stdout.write(String(ok)); process.exit(0); });
`;

/**
 * A scraping process.
 *
 * @example
 * ```ts
 * const scraper = new Scraper('http://127.0.0.1:9464/metrics', 100);
 * // … measure …
 * const answered = await scraper.stop();
 * ```
 */
export class Scraper {
  private readonly child: ChildProcess;
  private output = '';

  /**
   * @param url - the `/metrics` URL (a refused connection is no error: it may serve later).
   * @param everyMs - the scrape interval.
   */
  constructor(url: string, everyMs: number) {
    this.child = spawn(process.execPath, ['-e', SCRIPT, url, String(everyMs)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => (this.output += chunk));
  }

  /** @returns the number of scrapes answered with 200, once the process exited. */
  async stop(): Promise<number> {
    const exited = once(this.child, 'exit');
    this.child.stdin!.end();
    await exited;
    return Number(this.output);
  }
}
