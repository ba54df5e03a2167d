/**
 * The store's keys in byte order, kept sorted as keys come and go so a prefix range costs
 * O(log n + k) instead of a sort of every key after each create or delete. Keys live in chunks of
 * at most {@link MAX_CHUNK} (a one-level B-tree): an insert or delete moves at most a chunk's
 * worth of entries, and finding a key's chunk is a binary search over the chunks' first keys.
 */
const MAX_CHUNK = 512;

export class SortedKeys {
  private chunks: string[][] = [];
  private firsts: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Replaces the contents with `keys` (any order, no duplicates). */
  reset(keys: Iterable<string>): void {
    const sorted = [...keys].sort(compareKeys);
    this.chunks = [];
    for (let index = 0; index < sorted.length; index += MAX_CHUNK / 2) {
      this.chunks.push(sorted.slice(index, index + MAX_CHUNK / 2));
    }
    this.firsts = this.chunks.map((chunk) => chunk[0]);
    this.count = sorted.length;
  }

  /** Adds a key that is not present. */
  insert(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.firsts.push(key);
      this.count++;
      return;
    }
    const chunkIndex = Math.max(0, upperBound(this.firsts, key) - 1);
    const chunk = this.chunks[chunkIndex];
    const position = lowerBound(chunk, key);
    if (chunk[position] === key) return;
    chunk.splice(position, 0, key);
    this.count++;
    if (position === 0) this.firsts[chunkIndex] = key;
    if (chunk.length > MAX_CHUNK) {
      const upper = chunk.splice(chunk.length >>> 1);
      this.chunks.splice(chunkIndex + 1, 0, upper);
      this.firsts.splice(chunkIndex + 1, 0, upper[0]);
    }
  }

  /** Removes a key if present. */
  remove(key: string): void {
    const chunkIndex = upperBound(this.firsts, key) - 1;
    if (chunkIndex < 0) return;
    const chunk = this.chunks[chunkIndex];
    const position = lowerBound(chunk, key);
    if (chunk[position] !== key) return;
    chunk.splice(position, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(chunkIndex, 1);
      this.firsts.splice(chunkIndex, 1);
    } else if (position === 0) {
      this.firsts[chunkIndex] = chunk[0];
    }
  }

  /** Calls `visit` for each key ≥ `from` in order until it returns false. */
  forEachFrom(from: string, visit: (key: string) => boolean): void {
    let chunkIndex = Math.max(0, upperBound(this.firsts, from) - 1);
    if (chunkIndex >= this.chunks.length) return;
    let position = lowerBound(this.chunks[chunkIndex], from);
    for (; chunkIndex < this.chunks.length; chunkIndex++, position = 0) {
      const chunk = this.chunks[chunkIndex];
      for (; position < chunk.length; position++) if (!visit(chunk[position])) return;
    }
  }
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose key is ≥ target. */
function lowerBound(keys: string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First index whose key is > target. */
function upperBound(keys: string[], target: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}
