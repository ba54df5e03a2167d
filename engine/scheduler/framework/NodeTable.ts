/**
 * The numbers every Filter and Score reads, one row per node in fixed-size Float64Array chunks.
 *
 * A scheduling cycle on 5,000 nodes visits 500 of them, resuming where the previous pod stopped,
 * so over a few pods it sweeps the whole cluster: nothing stays in cache. Kept as object fields,
 * memory quantities above 2^31 bytes are boxed numbers, each a separate heap object, so one node
 * costs several cache misses per plugin. In rows of one typed array they are plain doubles laid
 * out in node order, which the CPU prefetches as the cycle walks the nodes. Chunks never move, so
 * a NodeInfo keeps its (chunk, offset) for life.
 */
export const Field = {
  podCount: 0,
  allowedPodNumber: 1,
  allocatableMilliCPU: 2,
  allocatableMemory: 3,
  requestedMilliCPU: 4,
  requestedMemory: 5,
  nonZeroMilliCPU: 6,
  nonZeroMemory: 7,
  /** 1 when `spec.unschedulable` (cordoned). */
  unschedulable: 8,
  /** Number of NoSchedule/NoExecute taints. */
  hardTaints: 9,
  /** Number of PreferNoSchedule taints. */
  preferNoScheduleTaints: 10,
  allocatableEphemeralStorage: 11,
  requestedEphemeralStorage: 12,
} as const;

/** Doubles per row (128 bytes: two cache lines). */
export const rowStride = 16;
const rowsPerChunk = 1024;

/** A node's row: the chunk holding it and the index of its first field. */
export interface NodeRow {
  data: Float64Array;
  base: number;
}

/** Rows for the nodes of one scheduler cache, reused after a node goes. */
export class NodeTable {
  private readonly chunks: Float64Array[] = [];
  private readonly free: NodeRow[] = [];
  private used = 0;

  allocate(): NodeRow {
    const reused = this.free.pop();
    if (reused) {
      reused.data.fill(0, reused.base, reused.base + rowStride);
      return reused;
    }
    const chunk = Math.floor(this.used / rowsPerChunk);
    if (chunk === this.chunks.length) this.chunks.push(new Float64Array(rowsPerChunk * rowStride));
    const row = { data: this.chunks[chunk], base: (this.used % rowsPerChunk) * rowStride };
    this.used++;
    return row;
  }

  release(row: NodeRow) {
    this.free.push(row);
  }
}

/** A row of its own, for a NodeInfo outside any cache (tests, preemption's copies). */
export function privateRow(): NodeRow {
  return { data: new Float64Array(rowStride), base: 0 };
}
