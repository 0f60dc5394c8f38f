// Reading Prometheus text in specs.

/**
 * The value of the first series of `name` whose labels include `labels`, or undefined.
 * @example sample(text, 'rxpulsar_tasks_total', { app: 'jobs', state: 'SUCCESS' })
 */
export function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const got = new Map<string, string>();
    for (const m of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got.set(m[1]!, m[2]!);
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

/** GET `http://address/metrics`: its text (throws unless 200). */
export async function scrape(address: string): Promise<string> {
  const res = await fetch(`http://${address}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`);
  return text;
}
