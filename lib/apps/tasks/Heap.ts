/**
 * A binary min-heap: the queue of ready tasks (by priority, then order) and
 * of delayed ones (by time).
 * @module
 */

/**
 * A binary heap ordered by `less`.
 *
 * @example
 * ```ts
 * const h = new Heap<number>((a, b) => a < b);
 * h.push(3); h.push(1);
 * h.pop(); // 1
 * ```
 */
export class Heap<T> {
  private readonly items: T[] = [];

  /** @param less - `true` when `a` comes out before `b`. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  /** How many items it holds. */
  get size(): number {
    return this.items.length;
  }

  /** @returns the first item, left in place. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** @param item - added in O(log n). */
  push(item: T): void {
    const items = this.items;
    // Moves the parents down into the hole, then fills it (no swap arrays).
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  /** @returns the first item, removed, in O(log n). */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.less(items[r]!, items[l]!) ? r : l;
      const child = items[m]!;
      if (!this.less(child, last)) break;
      items[i] = child;
      i = m;
    }
    items[i] = last;
    return top;
  }
}
