import { crc32 } from "./crc32";
import { type Delta, Packer, unpack } from "./packedValues";
import { compareKeys, SortedKeys } from "./SortedKeys";

/**
 * The etcd role: an in-memory MVCC key-value store. Every write bumps one global revision; each key
 * remembers the revision that created it, the revision that last modified it and how many times it
 * was written since creation (its version), exactly as etcd's `mvccpb.KeyValue`. A bounded history
 * of changes lets watches start at any retained revision and reads look at a past revision; older
 * revisions are compacted away and asking for them throws {@link CompactedError}, which the API server
 * turns into `410 Gone` ("too old resource version").
 */

/** One key's current (or past) state, as etcd's `mvccpb.KeyValue`. */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

/** A change, as delivered to watchers. `kv` is the new state (for DELETE: key and the delete revision). */
export interface StoreEvent {
  type: "PUT" | "DELETE";
  kv: KeyValue;
  /** The state just before this change; absent for a PUT that created the key. */
  prevKv?: KeyValue;
}

/** Thrown when a read or watch asks for a revision that compaction already dropped. */
export class CompactedError extends Error {
  constructor(
    readonly requestedRevision: number,
    readonly compactRevision: number,
  ) {
    super(`mvcc: required revision has been compacted (requested ${requestedRevision}, compacted ${compactRevision})`);
    this.name = "CompactedError";
  }
}

/** Thrown when a read asks for a revision the store has not reached yet. */
export class FutureRevisionError extends Error {
  constructor(
    readonly requestedRevision: number,
    readonly currentRevision: number,
  ) {
    super(`mvcc: required revision is a future revision (requested ${requestedRevision}, current ${currentRevision})`);
    this.name = "FutureRevisionError";
  }
}

/** Thrown by {@link KeyValueStore.restore} when the snapshot bytes are damaged or not a snapshot. */
export class SnapshotCorruptError extends Error {
  constructor(message: string) {
    super(`snapshot: ${message}`);
    this.name = "SnapshotCorruptError";
  }
}

export interface RangeOptions {
  /** Treat the key as a prefix and return every key starting with it, in key order. */
  prefix?: boolean;
  /** Read as of this revision (0 or absent: the current one). */
  revision?: number;
  /** At most this many keys (0 or absent: no limit). */
  limit?: number;
  /** Only keys strictly greater than or equal to this one (used to continue a paginated range). */
  fromKey?: string;
  /** Only count, return no values. */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** How many keys matched in total (before `limit`). */
  count: number;
  /** True when `limit` cut the result short. */
  more: boolean;
  /** The revision the read was served at (the store's current revision for current reads). */
  revision: number;
}

export type Compare =
  | { key: string; target: "modRevision" | "createRevision" | "version"; result: "=" | "!=" | "<" | ">"; value: number }
  | { key: string; target: "value"; result: "=" | "!="; value: string };

export type TxnOp =
  | { type: "put"; key: string; value: string }
  | { type: "delete"; key: string; prefix?: boolean }
  | { type: "range"; key: string; options?: RangeOptions };

export interface TxnRequest {
  compare: Compare[];
  success: TxnOp[];
  failure?: TxnOp[];
}

export type TxnOpResult =
  | { type: "put"; kv: KeyValue; prevKv?: KeyValue }
  | { type: "delete"; deleted: KeyValue[] }
  | { type: "range"; result: RangeResult };

export interface TxnResponse {
  succeeded: boolean;
  /** The store's revision after the transaction (unchanged when it wrote nothing). */
  revision: number;
  results: TxnOpResult[];
}

export interface WatchOptions {
  prefix?: boolean;
  /** Deliver every change with revision >= startRevision (0 or absent: only changes after now). */
  startRevision?: number;
  /**
   * Deliver only the changes whose new or previous state files under `value` in `index` (upstream
   * cacher's indexed triggers: a kubelet's `spec.nodeName=<node>` pod watch). The watcher is then
   * found through the index, so a write costs nothing for the watchers it cannot concern.
   */
  trigger?: WatchTrigger;
  /**
   * Called when the store cancels the watch because the history it follows is gone: the store's
   * contents were replaced ({@link KeyValueStore.replace}, etcd restarted on another data dir), as
   * etcd cancels a watch whose revision was compacted. Watchers without it are dropped silently.
   */
  onCanceled?: (compactRevision: number) => void;
}

/**
 * Files a key's state under one value (a pod under its `spec.nodeName`), or under none. Watchers
 * that name the same function share one index; it is called once per change and state.
 */
export type WatchIndex = (kv: KeyValue) => string | undefined;

/** A watch's indexed trigger: the index and the value whose changes it wants. */
export interface WatchTrigger {
  index: WatchIndex;
  value: string;
}

export type WatchListener = (events: StoreEvent[]) => void;

export interface KeyValueStoreOptions {
  /**
   * How many revisions of history to keep. Writes beyond it compact the oldest automatically, as
   * the apiserver asks etcd to compact every five minutes; there are no timers here, compaction
   * happens on write.
   */
  historyLimit?: number;
  /**
   * Also compact when the retained history holds more than this many bytes (keeping at least
   * `minimumHistory` revisions), so a busy cluster's memory stays bounded.
   */
  historyBytesLimit?: number;
  minimumHistory?: number;
}

interface HistoryEntry {
  revision: number;
  events: StoreEvent[];
}

interface Watcher {
  id: number;
  key: string;
  prefix: boolean;
  /** Changes before this revision are not for this watcher (a watch from a future revision). */
  minRevision: number;
  trigger?: WatchTrigger;
  listener: WatchListener;
  onCanceled?: (compactRevision: number) => void;
  open: boolean;
}

/**
 * The watchers of one key (or one prefix): those without a trigger, and those with one, filed by
 * index and value, so a change reaches only the triggered watchers of its own values.
 */
interface WatcherGroup {
  key: string;
  untriggered: Set<Watcher>;
  byIndex: Map<WatchIndex, Map<string, Set<Watcher>>>;
  size: number;
}

const SNAPSHOT_MAGIC = "KUBELAB-SNAPSHOT-1";

/** An in-memory MVCC key-value store with etcd's semantics. */
export class KeyValueStore {
  private readonly data = new Map<string, KeyValue>();
  /** The keys of `data` in order, maintained on every insert and delete (prefix ranges). */
  private readonly sortedKeys = new SortedKeys();
  private history: HistoryEntry[] = [];
  private currentRevision = 1;
  private compacted = 0;
  private readonly historyLimit: number;
  private readonly historyBytesLimit: number;
  private readonly minimumHistory: number;
  /** Watchers of one exact key, by key. */
  private readonly exactWatchers = new Map<string, WatcherGroup>();
  /** Watchers of a prefix, by prefix (a handful: one per resource and namespace watched). */
  private readonly prefixWatchers = new Map<string, WatcherGroup>();
  private openWatchers = 0;
  private delivered = 0;
  private nextWatcherId = 1;
  private pendingDelivery: Array<{ watcher: Watcher; events: StoreEvent[] }> = [];
  private delivering = false;
  private dataBytes = 0;
  private historyBytes = 0;
  private readonly packers = new Map<string, Packer>();
  private readonly replacedListeners = new Set<() => void>();

  constructor(options: KeyValueStoreOptions = {}) {
    this.historyLimit = Math.max(1, options.historyLimit ?? 2000);
    this.historyBytesLimit = options.historyBytesLimit ?? 2_000_000;
    this.minimumHistory = Math.max(1, Math.min(this.historyLimit, options.minimumHistory ?? 200));
  }

  /** The current global revision (etcd starts at 1 for an empty store). */
  get revision(): number {
    return this.currentRevision;
  }

  /** The newest revision that was compacted away; reads and watches must ask for a later one. */
  get compactRevision(): number {
    return this.compacted;
  }

  /** Number of keys currently stored. */
  get keyCount(): number {
    return this.data.size;
  }

  /** Bytes of keys and values held, current state plus retained history (etcd's db size, roughly). */
  get sizeBytes(): number {
    return this.dataBytes + this.historyBytes;
  }

  /** Reads one key or a prefix, now or at a retained past revision. */
  range(key: string, options: RangeOptions = {}): RangeResult {
    const revision = options.revision && options.revision > 0 ? options.revision : this.currentRevision;
    if (revision > this.currentRevision) throw new FutureRevisionError(revision, this.currentRevision);
    if (revision < this.currentRevision && revision <= this.compacted) {
      throw new CompactedError(revision, this.compacted);
    }
    let matched: KeyValue[];
    if (revision === this.currentRevision) {
      matched = this.currentRange(key, options);
    } else {
      matched = this.pastRange(key, revision, options);
    }
    const count = matched.length;
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const more = limit > 0 && count > limit;
    const kvs = options.countOnly ? [] : more ? matched.slice(0, limit) : matched;
    return { kvs: kvs.map(shareKv), count, more, revision };
  }

  /** Reads one key's current state. */
  get(key: string): KeyValue | undefined {
    const kv = this.data.get(key);
    return kv ? shareKv(kv) : undefined;
  }

  /** Writes a key unconditionally. */
  put(key: string, value: string): KeyValue {
    const result = this.txn({ compare: [], success: [{ type: "put", key, value }] }).results[0];
    if (result.type !== "put") throw new Error("unreachable");
    return result.kv;
  }

  /** Deletes a key (or every key under a prefix); returns what was deleted. */
  delete(key: string, prefix = false): KeyValue[] {
    const result = this.txn({ compare: [], success: [{ type: "delete", key, prefix }] }).results[0];
    if (result.type !== "delete") throw new Error("unreachable");
    return result.deleted;
  }

  /**
   * etcd's Txn: if every compare holds, run `success`, else `failure`. All writes in one
   * transaction share one new revision; a transaction that writes nothing leaves the revision alone.
   */
  txn(request: TxnRequest): TxnResponse {
    const succeeded = request.compare.every((compare) => this.evaluate(compare));
    const ops = succeeded ? request.success : (request.failure ?? []);
    const writes = ops.some((op) => op.type !== "range");
    const revision = writes ? this.currentRevision + 1 : this.currentRevision;
    const events: StoreEvent[] = [];
    const results: TxnOpResult[] = [];
    for (const op of ops) {
      if (op.type === "range") {
        results.push({ type: "range", result: this.range(op.key, op.options) });
      } else if (op.type === "put") {
        const prev = this.data.get(op.key);
        const kv = this.storedKv(
          op.key,
          op.value,
          prev ? prev.createRevision : revision,
          revision,
          prev ? prev.version + 1 : 1,
        );
        if (prev) this.dataBytes -= kvBytes(prev);
        else this.sortedKeys.insert(op.key);
        this.data.set(op.key, kv);
        this.dataBytes += kvBytes(kv);
        events.push(prev ? { type: "PUT", kv, prevKv: prev } : { type: "PUT", kv });
        results.push(prev ? { type: "put", kv: copyKv(kv), prevKv: copyKv(prev) } : { type: "put", kv: copyKv(kv) });
      } else {
        const keys = op.prefix ? this.currentRange(op.key, { prefix: true }).map((kv) => kv.key) : [op.key];
        const deleted: KeyValue[] = [];
        for (const key of keys) {
          const prev = this.data.get(key);
          if (!prev) continue;
          this.data.delete(key);
          this.sortedKeys.remove(key);
          this.dataBytes -= kvBytes(prev);
          deleted.push(copyKv(prev));
          events.push({
            type: "DELETE",
            kv: { key, value: "", createRevision: 0, modRevision: revision, version: 0 },
            prevKv: prev,
          });
        }
        results.push({ type: "delete", deleted });
      }
    }
    if (events.length > 0) {
      this.currentRevision = revision;
      this.history.push({ revision, events });
      for (const event of events) this.historyBytes += eventBytes(event);
      this.compactIfNeeded();
      this.notify(events);
    } else if (writes) {
      // A delete of nothing is not a write in etcd: the revision does not move.
    }
    return { succeeded, revision: this.currentRevision, results };
  }

  /**
   * Watches a key or prefix. With `startRevision`, first replays retained history from that
   * revision (throwing {@link CompactedError} if it is gone); then delivers each new change in
   * order. Events are delivered synchronously after the write, in revision order, even when a
   * listener writes from inside its callback. Returns a disposer.
   */
  watch(key: string, options: WatchOptions, listener: WatchListener): () => void {
    const start = options.startRevision ?? 0;
    const watcher: Watcher = {
      id: this.nextWatcherId++,
      key,
      prefix: options.prefix ?? false,
      minRevision: start,
      trigger: options.trigger,
      listener,
      onCanceled: options.onCanceled,
      open: true,
    };
    if (start > 0 && start <= this.currentRevision) {
      if (start <= this.compacted) throw new CompactedError(start, this.compacted);
      const replay: StoreEvent[] = [];
      for (const entry of this.history) {
        if (entry.revision < start) continue;
        for (const event of entry.events) {
          if (matches(watcher, event.kv.key) && triggered(watcher.trigger, event)) replay.push(event);
        }
      }
      if (replay.length > 0) this.enqueue(watcher, replay);
    }
    this.addWatcher(watcher);
    this.drain();
    return () => {
      // Queued deliveries for it are skipped by drain(), which checks the watcher is still open.
      if (!watcher.open) return;
      watcher.open = false;
      this.removeWatcher(watcher);
    };
  }

  /** Number of open watches (for tests and size reports). */
  get watcherCount(): number {
    return this.openWatchers;
  }

  /** Watch deliveries so far: one per watcher and change it received (for benchmarks). */
  get deliveredEvents(): number {
    return this.delivered;
  }

  /** Drops history up to and including `revision`; reads and watches before it then fail. */
  compact(revision: number): void {
    if (revision > this.currentRevision) throw new FutureRevisionError(revision, this.currentRevision);
    if (revision <= this.compacted) throw new CompactedError(revision, this.compacted);
    this.compacted = revision;
    let drop = 0;
    while (drop < this.history.length && this.history[drop].revision <= revision) {
      for (const event of this.history[drop].events) this.historyBytes -= eventBytes(event);
      drop++;
    }
    if (drop > 0) this.history = this.history.slice(drop);
  }

  /**
   * The whole store as bytes: current keys, revision counters and the retained history, with a
   * CRC-32 so {@link restore} can refuse a damaged file.
   */
  snapshot(): Uint8Array {
    const body = JSON.stringify({
      revision: this.currentRevision,
      compactRevision: this.compacted,
      kvs: [...this.data.values()],
      history: this.history,
    });
    const checksum = crc32(body).toString(16).padStart(8, "0");
    return new TextEncoder().encode(`${SNAPSHOT_MAGIC}\n${checksum}\n${body}`);
  }

  /** Replaces this store's contents with a snapshot's. Open watches stay open and see no events for it. */
  restore(bytes: Uint8Array): void {
    const text = new TextDecoder().decode(bytes);
    const first = text.indexOf("\n");
    const second = text.indexOf("\n", first + 1);
    if (first < 0 || second < 0 || text.slice(0, first) !== SNAPSHOT_MAGIC) {
      throw new SnapshotCorruptError("not a Kubelab store snapshot");
    }
    const checksum = text.slice(first + 1, second);
    const body = text.slice(second + 1);
    if (crc32(body).toString(16).padStart(8, "0") !== checksum) throw new SnapshotCorruptError("checksum mismatch");
    let parsed: { revision: number; compactRevision: number; kvs: KeyValue[]; history: HistoryEntry[] };
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new SnapshotCorruptError("unreadable body");
    }
    if (!Number.isInteger(parsed.revision) || !Array.isArray(parsed.kvs) || !Array.isArray(parsed.history)) {
      throw new SnapshotCorruptError("missing fields");
    }
    this.data.clear();
    this.dataBytes = 0;
    for (const restored of parsed.kvs) {
      const kv = this.storedKv(
        restored.key,
        restored.value,
        restored.createRevision,
        restored.modRevision,
        restored.version,
      );
      Object.freeze(kv);
      this.data.set(kv.key, kv);
      this.dataBytes += kvBytes(kv);
    }
    this.sortedKeys.reset(this.data.keys());
    this.history = parsed.history;
    this.historyBytes = 0;
    for (const entry of this.history) for (const event of entry.events) this.historyBytes += eventBytes(event);
    this.currentRevision = parsed.revision;
    this.compacted = parsed.compactRevision ?? 0;
  }

  /**
   * etcd started on another data dir: the store becomes `bytes`'s snapshot (keys, revision and
   * history as the snapshot has them). Every open watch is canceled (its `onCanceled` told the new
   * compact revision) since the history it followed is gone, and the {@link onReplaced} listeners
   * run, so readers that keep decoded state (the API server's caches) drop it.
   */
  replace(bytes: Uint8Array): void {
    this.restore(bytes);
    const canceled: Watcher[] = [];
    for (const groups of [this.exactWatchers, this.prefixWatchers]) {
      for (const group of groups.values()) {
        canceled.push(...group.untriggered);
        for (const byValue of group.byIndex.values()) for (const set of byValue.values()) canceled.push(...set);
      }
      groups.clear();
    }
    this.openWatchers = 0;
    this.pendingDelivery = [];
    canceled.sort((a, b) => a.id - b.id);
    for (const watcher of canceled) watcher.open = false;
    for (const listener of [...this.replacedListeners]) listener();
    for (const watcher of canceled) {
      try {
        watcher.onCanceled?.(this.compacted);
      } catch {
        // One broken watcher must not keep the others from hearing of it.
      }
    }
  }

  /** Runs `listener` after every {@link replace}; returns a disposer. */
  onReplaced(listener: () => void): () => void {
    this.replacedListeners.add(listener);
    return () => this.replacedListeners.delete(listener);
  }

  /**
   * etcdutl's `--bump-revision N --mark-compacted`: the revision moves on by `amount` without a
   * change, and everything before it counts as compacted, so a client holding an older revision is
   * told to list again rather than handed another history's changes.
   */
  bumpRevision(amount: number): void {
    if (amount <= 0) return;
    this.currentRevision += amount;
    this.compact(this.currentRevision);
  }

  /** A key's state as the store keeps it: its value in one piece, or as a delta against a like value. */
  private storedKv(key: string, value: string, createRevision: number, modRevision: number, version: number): KeyValue {
    // One packer per resource (`/registry/pods/…` → `pods`): a value is packed against its own kind.
    const start = key.indexOf("/", 1);
    const end = start < 0 ? -1 : key.indexOf("/", start + 1);
    const kind = end < 0 ? "" : key.slice(0, end);
    let packer = this.packers.get(kind);
    if (!packer) {
      packer = new Packer();
      this.packers.set(kind, packer);
    }
    const packed = packer.pack(value);
    return typeof packed === "string"
      ? { key, value: packed, createRevision, modRevision, version }
      : new PackedKeyValue(key, packed, createRevision, modRevision, version);
  }

  private evaluate(compare: Compare): boolean {
    const kv = this.data.get(compare.key);
    if (compare.target === "value") {
      const equal = kv !== undefined && kv.value === compare.value;
      return compare.result === "=" ? equal : !equal;
    }
    // etcd compares a missing key as if its revisions and version were 0.
    const actual = kv ? kv[compare.target] : 0;
    switch (compare.result) {
      case "=":
        return actual === compare.value;
      case "!=":
        return actual !== compare.value;
      case "<":
        return actual < compare.value;
      case ">":
        return actual > compare.value;
    }
  }

  private currentRange(key: string, options: RangeOptions): KeyValue[] {
    if (!options.prefix) {
      const kv = this.data.get(key);
      return kv && (!options.fromKey || kv.key >= options.fromKey) ? [kv] : [];
    }
    const from = options.fromKey && options.fromKey > key ? options.fromKey : key;
    const result: KeyValue[] = [];
    this.sortedKeys.forEachFrom(from, (candidate) => {
      if (!candidate.startsWith(key)) return false;
      const kv = this.data.get(candidate);
      if (kv) result.push(kv);
      return true;
    });
    return result;
  }

  /** Rebuilds the state of the matching keys at `revision` by undoing later history. */
  private pastRange(key: string, revision: number, options: RangeOptions): KeyValue[] {
    const inRange = (candidate: string) =>
      (options.prefix ? candidate.startsWith(key) : candidate === key) &&
      (!options.fromKey || candidate >= options.fromKey);
    const state = new Map<string, KeyValue | undefined>();
    for (const kv of this.currentRange(key, { prefix: options.prefix })) state.set(kv.key, kv);
    for (let index = this.history.length - 1; index >= 0; index--) {
      const entry = this.history[index];
      if (entry.revision <= revision) break;
      for (let event = entry.events.length - 1; event >= 0; event--) {
        const change = entry.events[event];
        if (!inRange(change.kv.key)) continue;
        state.set(change.kv.key, change.prevKv);
      }
    }
    const result: KeyValue[] = [];
    for (const [candidate, kv] of state) if (kv && inRange(candidate)) result.push(kv);
    return result.sort((a, b) => compareKeys(a.key, b.key));
  }

  private compactIfNeeded(): void {
    const oldestKept = this.currentRevision - this.historyLimit;
    // Compact in batches so a busy store does not slice its history on every write.
    if (oldestKept - this.compacted >= Math.max(1, Math.floor(this.historyLimit / 10))) {
      this.compact(oldestKept);
      return;
    }
    if (this.historyBytes > this.historyBytesLimit && this.history.length > this.minimumHistory) {
      // Drop the older half of what may go, down to the minimum number of revisions.
      const removable = this.history.length - this.minimumHistory;
      const target = this.history[Math.max(0, Math.ceil(removable / 2) - 1)].revision;
      if (target > this.compacted) this.compact(target);
    }
  }

  private addWatcher(watcher: Watcher): void {
    const groups = watcher.prefix ? this.prefixWatchers : this.exactWatchers;
    let group = groups.get(watcher.key);
    if (!group) {
      group = { key: watcher.key, untriggered: new Set(), byIndex: new Map(), size: 0 };
      groups.set(watcher.key, group);
    }
    if (watcher.trigger) {
      let byValue = group.byIndex.get(watcher.trigger.index);
      if (!byValue) {
        byValue = new Map();
        group.byIndex.set(watcher.trigger.index, byValue);
      }
      let set = byValue.get(watcher.trigger.value);
      if (!set) {
        set = new Set();
        byValue.set(watcher.trigger.value, set);
      }
      set.add(watcher);
    } else {
      group.untriggered.add(watcher);
    }
    group.size++;
    this.openWatchers++;
  }

  private removeWatcher(watcher: Watcher): void {
    const groups = watcher.prefix ? this.prefixWatchers : this.exactWatchers;
    const group = groups.get(watcher.key);
    if (!group) return;
    if (watcher.trigger) {
      const byValue = group.byIndex.get(watcher.trigger.index);
      const set = byValue?.get(watcher.trigger.value);
      if (!byValue || !set?.delete(watcher)) return;
      if (set.size === 0) byValue.delete(watcher.trigger.value);
      if (byValue.size === 0) group.byIndex.delete(watcher.trigger.index);
    } else if (!group.untriggered.delete(watcher)) {
      return;
    }
    group.size--;
    this.openWatchers--;
    if (group.size === 0) groups.delete(watcher.key);
  }

  /**
   * Queues each change for the watchers it concerns: those of its key and of the prefixes it falls
   * under, without a trigger or triggered by a value its new or previous state files under (both,
   * when a change moves a key from one value to another). Each watcher gets one batch per
   * transaction, and watchers are served in the order they started watching.
   */
  private notify(events: StoreEvent[]): void {
    // Events are frozen and shared by every watcher: nothing downstream may change them.
    for (const event of events) freezeEvent(event);
    const batches = new Map<Watcher, StoreEvent[]>();
    const add = (watcher: Watcher, event: StoreEvent) => {
      if (event.kv.modRevision < watcher.minRevision) return;
      const batch = batches.get(watcher);
      if (batch) batch.push(event);
      else batches.set(watcher, [event]);
    };
    const visit = (group: WatcherGroup, event: StoreEvent) => {
      for (const watcher of group.untriggered) add(watcher, event);
      for (const [index, byValue] of group.byIndex) {
        const current = event.type === "PUT" ? index(event.kv) : undefined;
        const previous = event.prevKv ? index(event.prevKv) : undefined;
        if (current !== undefined) for (const watcher of byValue.get(current) ?? []) add(watcher, event);
        if (previous !== undefined && previous !== current) {
          for (const watcher of byValue.get(previous) ?? []) add(watcher, event);
        }
      }
    };
    for (const event of events) {
      const exact = this.exactWatchers.get(event.kv.key);
      if (exact) visit(exact, event);
      for (const group of this.prefixWatchers.values()) {
        if (event.kv.key.startsWith(group.key)) visit(group, event);
      }
    }
    if (batches.size > 0) {
      const watchers = [...batches.keys()];
      if (watchers.length > 1) watchers.sort((a, b) => a.id - b.id);
      for (const watcher of watchers) this.enqueue(watcher, batches.get(watcher) as StoreEvent[]);
    }
    this.drain();
  }

  private enqueue(watcher: Watcher, events: StoreEvent[]): void {
    for (const event of events) freezeEvent(event);
    this.pendingDelivery.push({ watcher, events });
  }

  /** Delivers queued events FIFO; a write made by a listener queues behind what is already pending. */
  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    let next = 0;
    try {
      while (next < this.pendingDelivery.length) {
        const pending = this.pendingDelivery[next++];
        if (!pending.watcher.open) continue;
        this.delivered += pending.events.length;
        try {
          pending.watcher.listener(pending.events);
        } catch {
          // One broken watcher must not stop the others or the write that triggered it.
        }
      }
    } finally {
      this.pendingDelivery = this.pendingDelivery.slice(next);
      this.delivering = false;
    }
  }
}

function matches(watcher: Watcher, key: string): boolean {
  return watcher.prefix ? key.startsWith(watcher.key) : key === watcher.key;
}

/** Whether a change concerns a watcher's trigger: its new or previous state files under the value. */
function triggered(trigger: WatchTrigger | undefined, event: StoreEvent): boolean {
  if (!trigger) return true;
  if (event.type === "PUT" && trigger.index(event.kv) === trigger.value) return true;
  return event.prevKv !== undefined && trigger.index(event.prevKv) === trigger.value;
}

/**
 * A key's state for a reader: the store's own object once it is frozen (every write's is, when
 * its events go out), since nobody can change it; a copy of one that is not.
 */
function shareKv(kv: KeyValue): KeyValue {
  return Object.isFrozen(kv) ? kv : copyKv(kv);
}

function copyKv(kv: KeyValue): KeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
  };
}

function freezeEvent(event: StoreEvent): void {
  if (Object.isFrozen(event)) return;
  Object.freeze(event.kv);
  if (event.prevKv) Object.freeze(event.prevKv);
  Object.freeze(event);
}

function kvBytes(kv: KeyValue): number {
  return kv.key.length + (kv instanceof PackedKeyValue ? kv.valueLength : kv.value.length) + 24;
}

/**
 * A key's state whose value is held as a delta against a base (packedValues.ts); `value` puts it
 * together on each read, and it serializes (snapshots) as a plain key state.
 */
class PackedKeyValue implements KeyValue {
  readonly key: string;
  private readonly delta: Delta;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;

  constructor(key: string, delta: Delta, createRevision: number, modRevision: number, version: number) {
    this.key = key;
    this.delta = delta;
    this.createRevision = createRevision;
    this.modRevision = modRevision;
    this.version = version;
  }

  get value(): string {
    return unpack(this.delta);
  }

  get valueLength(): number {
    return this.delta.length;
  }

  toJSON(): KeyValue {
    return copyKv(this);
  }
}

function eventBytes(event: StoreEvent): number {
  return kvBytes(event.kv) + (event.prevKv ? kvBytes(event.prevKv) : 0);
}
