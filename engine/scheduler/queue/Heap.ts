/**
 * A binary heap with removal and update by key, as upstream's `internal/heap`: the scheduling
 * queue's activeQ (by priority) and backoffQ (by back-off expiry).
 */
export class Heap<T> {
  private items: T[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds or replaces the item with the same key. */
  push(item: T) {
    const key = this.keyOf(item);
    const existing = this.index.get(key);
    if (existing !== undefined) {
      this.items[existing] = item;
      this.fix(existing);
      return;
    }
    this.items.push(item);
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i];
    this.removeAt(i);
    return item;
  }

  values(): T[] {
    return [...this.items];
  }

  private removeAt(i: number) {
    const last = this.items.length - 1;
    this.index.delete(this.keyOf(this.items[i]));
    if (i !== last) {
      this.items[i] = this.items[last];
      this.index.set(this.keyOf(this.items[i]), i);
    }
    this.items.pop();
    if (i < this.items.length) this.fix(i);
  }

  private fix(i: number) {
    if (!this.up(i)) this.down(i);
  }

  // Sifting moves a hole instead of swapping pairs: each displaced item is written and re-indexed
  // once, and the sifted item once at the end.
  private up(i: number): boolean {
    const items = this.items;
    const item = items[i];
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(item, items[parent])) break;
      items[i] = items[parent];
      this.index.set(this.keyOf(items[i]), i);
      i = parent;
    }
    if (i === start) return false;
    items[i] = item;
    this.index.set(this.keyOf(item), i);
    return true;
  }

  private down(i: number) {
    const items = this.items;
    const n = items.length;
    const item = items[i];
    const start = i;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let best = left;
      if (right < n && this.less(items[right], items[left])) best = right;
      if (!this.less(items[best], item)) break;
      items[i] = items[best];
      this.index.set(this.keyOf(items[i]), i);
      i = best;
    }
    if (i === start) return;
    items[i] = item;
    this.index.set(this.keyOf(item), i);
  }
}
