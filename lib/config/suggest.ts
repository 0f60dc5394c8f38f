/**
 * "Did you mean…?" for unknown keys and flags.
 * @module
 */

/** Edit distance where swapping two neighbours counts as one edit (`bnid` → `bind`). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to a misspelt name, if one is close enough.
 *
 * The shortest candidate that ends with the name (the name without its
 * app prefix) wins; otherwise the nearest by edit distance (a swap of two
 * neighbours counts as one edit), within a third of the name's length (case
 * ignored).
 *
 * @param name - what was given.
 * @param candidates - the valid names.
 * @returns the suggestion, or `undefined`.
 * @example
 * ```ts
 * suggest('--max-request', ['--max-requests', '--workers']); // '--max-requests'
 * ```
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const tail = lower.replace(/^-+/, '-');
  const suffixed = candidates.filter((c) => c.toLowerCase().endsWith(tail));
  if (suffixed.length > 0 && lower.length > 3) {
    return suffixed.reduce((a, b) => (b.length < a.length ? b : a));
  }
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
