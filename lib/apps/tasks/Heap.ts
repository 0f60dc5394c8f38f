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
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** @returns the first item, removed, in O(log n). */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.less(items[l]!, items[m]!)) m = l;
      if (r < items.length && this.less(items[r]!, items[m]!)) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
    return top;
  }
}
