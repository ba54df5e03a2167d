/**
 * Go's `sort.Sort` (and `sort.Slice`, `slices.SortFunc`), ported so ties land where kubectl puts them.
 *
 * kubectl orders events, `--sort-by` rows and other lists with `sort.Sort`, which is not stable:
 * since Go 1.19 it is pattern-defeating quicksort (src/sort/zsortinterface.go). Lists of up to 12
 * items go through insertion sort and keep their order, but a longer list is partitioned around a
 * pivot and equal items can change places. A stable JavaScript sort would print equal items in
 * the server's order where the real kubectl prints them shuffled, so output that sorts with
 * `sort.Sort` upstream sorts with `goSort` here: the same steps, the same comparisons in the same
 * order, and so the same permutation for any input and any `less`.
 *
 * `sort.Slice` and `slices.SortFunc` run the same algorithm (zsortfunc.go, zsortanyfunc.go) and
 * give the same order; `sort.Stable` and `sort.SliceStable` are stable (use `Array.prototype.sort`).
 */
export function goSort<T>(items: T[], less: (a: T, b: T) => boolean): T[] {
  const n = items.length;
  if (n <= 1) return items;
  const data: SortData = {
    less: (i, j) => less(items[i] as T, items[j] as T),
    swap: (i, j) => {
      const held = items[i] as T;
      items[i] = items[j] as T;
      items[j] = held;
    },
  };
  pdqsort(data, 0, n, bitLength(n));
  return items;
}

/** sort.Interface without Len: positions compared and exchanged in place. */
interface SortData {
  less(i: number, j: number): boolean;
  swap(i: number, j: number): void;
}

/** What choosePivot saw of the order around its samples (Go's sortedHint). */
const Hint = { Unknown: 0, Increasing: 1, Decreasing: 2 } as const;
type Hint = (typeof Hint)[keyof typeof Hint];

/** bits.Len: the number of bits needed to write n (0 for 0). */
function bitLength(n: number): number {
  return 32 - Math.clz32(n);
}

/** Sorts data[a:b]; `limit` is how many badly unbalanced partitions are allowed before heapsort. */
function pdqsort(data: SortData, a: number, b: number, limit: number): void {
  const maxInsertion = 12;
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= maxInsertion) {
      insertionSort(data, a, b);
      return;
    }
    if (limit === 0) {
      heapSort(data, a, b);
      return;
    }
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint]: [number, Hint] = choosePivot(data, a, b);
    if (hint === Hint.Decreasing) {
      reverseRange(data, a, b);
      // The pivot sat pivot-a places from the start; after reversing it sits that far from the end.
      pivot = b - 1 - (pivot - a);
      hint = Hint.Increasing;
    }
    if (wasBalanced && wasPartitioned && hint === Hint.Increasing && partialInsertionSort(data, a, b)) return;
    // Go compares with the item just before this range (an earlier pivot) by absolute index: when
    // the pivot is not greater, the range holds many duplicates of it and is split equal | greater.
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const leftLength = mid - a;
    const rightLength = b - mid;
    const balanceThreshold = Math.trunc(length / 8);
    if (leftLength < rightLength) {
      wasBalanced = leftLength >= balanceThreshold;
      pdqsort(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = rightLength >= balanceThreshold;
      pdqsort(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

function insertionSort(data: SortData, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
  }
}

/** Restores the max-heap property of data[lo:hi], the heap's root being at `first`. */
function siftDown(data: SortData, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

function heapSort(data: SortData, a: number, b: number): void {
  const first = a;
  const hi = b - a;
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, first);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(first, first + i);
    siftDown(data, 0, i, first);
  }
}

/**
 * One quicksort partition of data[a:b] around data[pivot]: smaller items before the returned
 * position, the pivot at it, the rest after. Also says whether nothing had to move.
 */
function partition(data: SortData, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  data.swap(j, a);
  return [j, false];
}

/** Splits data[a:b], which holds nothing smaller than data[pivot], into equal | greater items. */
function partitionEqual(data: SortData, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) break;
    data.swap(i, j);
    i++;
    j--;
  }
  return i;
}

/** Fixes up to five adjacent out-of-order pairs; true when data[a:b] ends up sorted. */
function partialInsertionSort(data: SortData, a: number, b: number): boolean {
  const maxSteps = 5;
  const shortestShifting = 50;
  let i = a + 1;
  for (let step = 0; step < maxSteps; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < shortestShifting) return false;
    data.swap(i, i - 1);
    // Go shifts the smaller item left down to index 1 of the whole slice, not to a+1; kept as is.
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1; j--) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b; j++) {
        if (!data.less(j, j - 1)) break;
        data.swap(j, j - 1);
      }
    }
  }
  return false;
}

const mask64 = (1n << 64n) - 1n;

/** Swaps three middle items with pseudo-random ones (xorshift seeded by the length), as Go does. */
function breakPatterns(data: SortData, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  let random = BigInt(length);
  const modulus = 2 ** bitLength(length);
  const middle = a + Math.trunc(length / 4) * 2;
  for (let index = middle - 1; index <= middle + 1; index++) {
    random ^= (random << 13n) & mask64;
    random ^= random >> 17n;
    random ^= (random << 5n) & mask64;
    let other = Number(random & BigInt(modulus - 1));
    if (other >= length) other -= length;
    data.swap(index, a + other);
  }
}

/**
 * Picks the pivot of data[a:b]: a fixed middle item under 8 items, the median of three up to 49,
 * Tukey's ninther from 50. The number of swaps the medians needed hints at the order.
 */
function choosePivot(data: SortData, a: number, b: number): [number, Hint] {
  const shortestNinther = 50;
  const maxSwaps = 4 * 3;
  const l = b - a;
  const quarter = Math.trunc(l / 4);
  const counter = { swaps: 0 };
  let i = a + quarter;
  let j = a + quarter * 2;
  let k = a + quarter * 3;
  if (l >= 8) {
    if (l >= shortestNinther) {
      i = median(data, i - 1, i, i + 1, counter);
      j = median(data, j - 1, j, j + 1, counter);
      k = median(data, k - 1, k, k + 1, counter);
    }
    j = median(data, i, j, k, counter);
  }
  if (counter.swaps === 0) return [j, Hint.Increasing];
  if (counter.swaps === maxSwaps) return [j, Hint.Decreasing];
  return [j, Hint.Unknown];
}

/** The position of the median of data[a], data[b], data[c], counting the swaps it took. */
function median(data: SortData, a: number, b: number, c: number, counter: { swaps: number }): number {
  const order = (x: number, y: number): [number, number] => {
    if (data.less(y, x)) {
      counter.swaps++;
      return [y, x];
    }
    return [x, y];
  };
  [a, b] = order(a, b);
  [b, c] = order(b, c);
  [a, b] = order(a, b);
  return b;
}

function reverseRange(data: SortData, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) data.swap(i, j);
}
