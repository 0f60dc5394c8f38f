/**
 * The info tree, readable: nested keys indented, lists of records as
 * numbered entries.
 * @module
 */

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return JSON.stringify(v) ?? String(v);
}

/**
 * Format an info record as indented `key: value` lines.
 *
 * @param value - the info (a record, a list, a scalar).
 * @param indent - the current indentation.
 * @returns the text.
 * @example
 * ```ts
 * formatInfo({ name: 'web', monitors: [{ name: 'web', workers: 2 }] });
 * // name: web
 * // monitors:
 * //   - name: web
 * //     workers: 2
 * ```
 */
export function formatInfo(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]`;
    return value
      .map((item) => {
        const inner = formatInfo(item, `${indent}  `);
        return `${indent}- ${inner.slice(indent.length + 2)}`;
      })
      .join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    const lines: string[] = [];
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const nested = typeof v === 'object' && v !== null && Object.keys(v).length > 0;
      lines.push(
        nested
          ? `${indent}${key}:\n${formatInfo(v, `${indent}  `)}`
          : `${indent}${key}: ${scalar(v)}`,
      );
    }
    return lines.join('\n');
  }
  return `${indent}${scalar(value)}`;
}
