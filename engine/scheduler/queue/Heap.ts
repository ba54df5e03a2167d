/** An item and its current place in the heap's array. */
interface Entry<T> {
  item: T;
  position: number;
}

/**
 * A binary heap with removal and update by key, as upstream's `internal/heap`: the scheduling
 * queue's activeQ (by priority) and backoffQ (by back-off expiry). Each key maps to an entry that
 * carries its own position, so sifting moves entries without touching the key index.
 */
export class Heap<T> {
  private entries: Array<Entry<T>> = [];
  private readonly index = new Map<string, Entry<T>>();

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): T | undefined {
    return this.index.get(key)?.item;
  }

  peek(): T | undefined {
    return this.entries[0]?.item;
  }

  /** Adds or replaces the item with the same key. */
  push(item: T) {
    const key = this.keyOf(item);
    const existing = this.index.get(key);
    if (existing !== undefined) {
      existing.item = item;
      this.fix(existing.position);
      return;
    }
    const entry: Entry<T> = { item, position: this.entries.length };
    this.entries.push(entry);
    this.index.set(key, entry);
    this.up(entry.position);
  }

  pop(): T | undefined {
    if (this.entries.length === 0) return undefined;
    const top = this.entries[0].item;
    this.removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const entry = this.index.get(key);
    if (entry === undefined) return undefined;
    this.removeAt(entry.position);
    return entry.item;
  }

  values(): T[] {
    return this.entries.map((entry) => entry.item);
  }

  private removeAt(i: number) {
    const entries = this.entries;
    const last = entries.length - 1;
    this.index.delete(this.keyOf(entries[i].item));
    const moved = entries[last];
    entries.pop();
    if (i === last) return;
    entries[i] = moved;
    moved.position = i;
    this.fix(i);
  }

  private fix(i: number) {
    if (!this.up(i)) this.down(i);
  }

  // Sifting moves a hole instead of swapping pairs: each displaced entry is written once, and the
  // sifted one once at the end.
  private up(i: number): boolean {
    const entries = this.entries;
    const entry = entries[i];
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(entry.item, entries[parent].item)) break;
      entries[i] = entries[parent];
      entries[i].position = i;
      i = parent;
    }
    if (i === start) return false;
    entries[i] = entry;
    entry.position = i;
    return true;
  }

  private down(i: number) {
    const entries = this.entries;
    const n = entries.length;
    const entry = entries[i];
    const start = i;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let best = left;
      if (right < n && this.less(entries[right].item, entries[left].item)) best = right;
      if (!this.less(entries[best].item, entry.item)) break;
      entries[i] = entries[best];
      entries[i].position = i;
      i = best;
    }
    if (i === start) return;
    entries[i] = entry;
    entry.position = i;
  }
}
