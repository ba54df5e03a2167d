import { describe, expect, it } from "vitest";
import {
  CompactedError,
  type KeyValue,
  KeyValueStore,
  SnapshotCorruptError,
  type StoreEvent,
  type WatchIndex,
} from "./KeyValueStore";

describe("KeyValueStore", () => {
  it("tracks one global revision and per-key create/mod revisions and versions", () => {
    const store = new KeyValueStore();
    expect(store.revision).toBe(1);
    const a1 = store.put("/registry/pods/default/a", "1");
    const b1 = store.put("/registry/pods/default/b", "1");
    const a2 = store.put("/registry/pods/default/a", "2");
    expect([a1.modRevision, b1.modRevision, a2.modRevision]).toEqual([2, 3, 4]);
    expect(a2).toMatchObject({ createRevision: 2, version: 2, value: "2" });
    expect(store.revision).toBe(4);
    store.delete("/registry/pods/default/a");
    expect(store.revision).toBe(5);
    expect(store.get("/registry/pods/default/a")).toBeUndefined();
    const again = store.put("/registry/pods/default/a", "3");
    expect(again).toMatchObject({ createRevision: 6, version: 1 });
  });

  it("hands readers immutable key states: later writes and attempted changes leave them as read", () => {
    const store = new KeyValueStore();
    store.put("/registry/pods/default/a", "one");
    const read = store.get("/registry/pods/default/a");
    const ranged = store.range("/registry/pods/", { prefix: true }).kvs[0];
    expect(read && Object.isFrozen(read)).toBe(true);
    expect(() => {
      (ranged as { value: string }).value = "tampered";
    }).toThrow();
    store.put("/registry/pods/default/a", "two");
    expect([read?.value, read?.version, ranged.value]).toEqual(["one", 1, "one"]);
    expect(store.get("/registry/pods/default/a")).toMatchObject({ value: "two", version: 2 });
    // A restored store's keys are shared the same way.
    const restored = new KeyValueStore();
    restored.restore(store.snapshot());
    const again = restored.get("/registry/pods/default/a");
    expect(again && Object.isFrozen(again)).toBe(true);
    expect(again).toMatchObject({ value: "two", version: 2 });
  });

  it("ranges a prefix in key order with limit, count and more, and continues from a key", () => {
    const store = new KeyValueStore();
    for (const name of ["c", "a", "b", "d"]) store.put(`/registry/pods/default/${name}`, name);
    store.put("/registry/pods/other/z", "z");
    store.put("/registry/podsx/default/a", "no");
    const page = store.range("/registry/pods/default/", { prefix: true, limit: 2 });
    expect(page.kvs.map((kv) => kv.value)).toEqual(["a", "b"]);
    expect(page).toMatchObject({ count: 4, more: true });
    const rest = store.range("/registry/pods/default/", { prefix: true, fromKey: `${page.kvs[1].key}\u0000` });
    expect(rest.kvs.map((kv) => kv.value)).toEqual(["c", "d"]);
    expect(store.range("/registry/pods/", { prefix: true, countOnly: true })).toMatchObject({ count: 5, kvs: [] });
  });

  it("reads a past revision and refuses a compacted one", () => {
    const store = new KeyValueStore();
    store.put("/k/a", "1");
    const rev = store.revision;
    store.put("/k/a", "2");
    store.put("/k/b", "1");
    store.delete("/k/a");
    expect(store.range("/k/", { prefix: true, revision: rev }).kvs.map((kv) => [kv.key, kv.value])).toEqual([
      ["/k/a", "1"],
    ]);
    store.compact(rev);
    expect(() => store.range("/k/", { prefix: true, revision: rev })).toThrow(CompactedError);
    expect(() => store.range("/k/", { prefix: true, revision: rev + 1 })).not.toThrow();
  });

  it("applies a transaction only when every compare holds, at one revision", () => {
    const store = new KeyValueStore();
    const kv = store.put("/k", "v1");
    const stale = store.txn({
      compare: [{ key: "/k", target: "modRevision", result: "=", value: kv.modRevision - 1 }],
      success: [{ type: "put", key: "/k", value: "lost" }],
      failure: [{ type: "range", key: "/k" }],
    });
    expect(stale.succeeded).toBe(false);
    expect(stale.revision).toBe(kv.modRevision);
    const fresh = store.txn({
      compare: [{ key: "/k", target: "modRevision", result: "=", value: kv.modRevision }],
      success: [
        { type: "put", key: "/k", value: "v2" },
        { type: "put", key: "/other", value: "x" },
      ],
    });
    expect(fresh.succeeded).toBe(true);
    expect(store.get("/k")?.modRevision).toBe(store.get("/other")?.modRevision);
    const create = store.txn({
      compare: [{ key: "/new", target: "createRevision", result: "=", value: 0 }],
      success: [{ type: "put", key: "/new", value: "1" }],
    });
    expect(create.succeeded).toBe(true);
    expect(
      store.txn({ compare: [{ key: "/new", target: "value", result: "=", value: "1" }], success: [] }).succeeded,
    ).toBe(true);
  });

  it("watches from a retained revision, in order, including writes made by listeners", () => {
    const store = new KeyValueStore();
    store.put("/p/a", "1");
    const start = store.revision;
    store.put("/p/b", "1");
    const seen: string[] = [];
    const dispose = store.watch("/p/", { prefix: true, startRevision: start }, (events) => {
      for (const event of events) {
        seen.push(`${event.type} ${event.kv.key} ${event.kv.modRevision}`);
        if (event.kv.key === "/p/c" && event.type === "PUT") store.delete("/p/c");
      }
    });
    store.put("/p/c", "1");
    store.put("/q/x", "ignored");
    dispose();
    store.put("/p/d", "after dispose");
    expect(seen).toEqual(["PUT /p/a 2", "PUT /p/b 3", "PUT /p/c 4", "DELETE /p/c 5"]);
  });

  it("watching a compacted revision throws CompactedError", () => {
    const store = new KeyValueStore({ historyLimit: 10 });
    for (let index = 0; index < 50; index++) store.put("/k", String(index));
    expect(store.compactRevision).toBeGreaterThan(0);
    expect(() => store.watch("/k", { startRevision: 2 }, () => {})).toThrow(CompactedError);
    expect(store.revision - store.compactRevision).toBeLessThanOrEqual(11);
  });

  it("snapshots and restores, and rejects damaged bytes", () => {
    const store = new KeyValueStore();
    store.put("/a", "1");
    store.put("/b", "é");
    const bytes = store.snapshot();
    const copy = new KeyValueStore();
    copy.restore(bytes);
    expect(copy.revision).toBe(store.revision);
    expect(copy.range("/", { prefix: true }).kvs).toEqual(store.range("/", { prefix: true }).kvs);
    expect(copy.sizeBytes).toBe(store.sizeBytes);
    const damaged = bytes.slice();
    damaged[damaged.length - 3] ^= 1;
    expect(() => copy.restore(damaged)).toThrow(SnapshotCorruptError);
    expect(() => copy.restore(new TextEncoder().encode("hello"))).toThrow(SnapshotCorruptError);
  });

  it("accounts size as it grows and shrinks", () => {
    const store = new KeyValueStore({ historyLimit: 5 });
    const empty = store.sizeBytes;
    store.put("/a", "x".repeat(1000));
    expect(store.sizeBytes).toBeGreaterThan(empty + 1000);
    store.delete("/a");
    for (let index = 0; index < 20; index++) store.put("/b", "y");
    expect(store.sizeBytes).toBeLessThan(1000);
  });

  it("agrees with a simple model under random operations (property test)", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 20; round++) {
      const store = new KeyValueStore({ historyLimit: 30 });
      const model = new Map<string, { value: string; create: number; mod: number; version: number }>();
      const snapshots = new Map<number, Map<string, string>>();
      let revision = 1;
      const events: StoreEvent[] = [];
      const dispose = store.watch("/", { prefix: true }, (batch) => events.push(...batch));
      for (let step = 0; step < 200; step++) {
        const key = `/${"abcdef"[Math.floor(random() * 6)]}/${Math.floor(random() * 4)}`;
        const roll = random();
        if (roll < 0.55) {
          const value = String(Math.floor(random() * 1000));
          revision++;
          const prev = model.get(key);
          model.set(key, { value, create: prev?.create ?? revision, mod: revision, version: (prev?.version ?? 0) + 1 });
          store.put(key, value);
        } else if (roll < 0.75) {
          const existed = model.delete(key);
          if (existed) revision++;
          store.delete(key);
        } else if (roll < 0.9) {
          const prev = model.get(key);
          const expected = prev?.mod ?? 0;
          const guess = random() < 0.5 ? expected : expected + 1;
          const ok = guess === expected;
          if (ok) {
            revision++;
            model.set(key, {
              value: "cas",
              create: prev?.create ?? revision,
              mod: revision,
              version: (prev?.version ?? 0) + 1,
            });
          }
          const response = store.txn({
            compare: [{ key, target: "modRevision", result: "=", value: guess }],
            success: [{ type: "put", key, value: "cas" }],
          });
          expect(response.succeeded).toBe(ok);
        } else {
          const past = [...snapshots.keys()][Math.floor(random() * snapshots.size)];
          if (past !== undefined) {
            if (past <= store.compactRevision) {
              expect(() => store.range("/", { prefix: true, revision: past })).toThrow(CompactedError);
            } else {
              const read = store.range("/", { prefix: true, revision: past });
              expect(Object.fromEntries(read.kvs.map((kv) => [kv.key, kv.value]))).toEqual(
                Object.fromEntries(snapshots.get(past) ?? []),
              );
            }
          }
        }
        expect(store.revision).toBe(revision);
        snapshots.set(revision, new Map([...model].map(([k, v]) => [k, v.value])));
        for (const [k, v] of model) {
          expect(store.get(k)).toEqual({
            key: k,
            value: v.value,
            createRevision: v.create,
            modRevision: v.mod,
            version: v.version,
          });
        }
        expect(store.keyCount).toBe(model.size);
      }
      dispose();
      // Every revision after the first appears in the watch stream exactly once, in order.
      const revisions = [...new Set(events.map((event) => event.kv.modRevision))];
      expect(revisions).toEqual(Array.from({ length: revision - 1 }, (_, index) => index + 2));
    }
  });
});

describe("KeyValueStore history bounds", () => {
  it("compacts by bytes too, keeping a minimum number of revisions", () => {
    const store = new KeyValueStore({ historyLimit: 10_000, historyBytesLimit: 50_000, minimumHistory: 20 });
    for (let index = 0; index < 500; index++) store.put(`/k/${index % 7}`, "x".repeat(1000));
    expect(store.sizeBytes).toBeLessThan(60_000 + 7 * 1100);
    expect(store.revision - store.compactRevision).toBeGreaterThanOrEqual(20);
    expect(() => store.range("/k/", { prefix: true, revision: store.revision - 19 })).not.toThrow();
  });
});

describe("KeyValueStore indexed watch triggers", () => {
  // Values are "<node>:<payload>"; the index files a key under its node, as pods under spec.nodeName.
  const byNode: WatchIndex = (kv: KeyValue) => kv.value.split(":")[0];
  const record = (store: KeyValueStore, key: string, options: Parameters<KeyValueStore["watch"]>[1]) => {
    const seen: string[] = [];
    const dispose = store.watch(key, options, (events) => {
      for (const event of events) seen.push(`${event.type} ${event.kv.key} ${event.kv.value || event.prevKv?.value}`);
    });
    return { seen, dispose };
  };

  it("delivers a change only to watchers of its node; a move reaches both nodes; untriggered watchers get all", () => {
    const store = new KeyValueStore();
    const a = record(store, "/pods/", { prefix: true, trigger: { index: byNode, value: "a" } });
    const b = record(store, "/pods/", { prefix: true, trigger: { index: byNode, value: "b" } });
    const all = record(store, "/pods/", { prefix: true });
    const calls = { count: 0 };
    const counting: WatchIndex = (kv) => {
      calls.count++;
      return byNode(kv);
    };
    const c = record(store, "/pods/", { prefix: true, trigger: { index: counting, value: "c" } });
    const before = store.deliveredEvents;
    store.put("/pods/x", "b:1");
    expect(store.deliveredEvents - before).toBe(2); // b and the untriggered watcher, nobody else
    store.put("/pods/x", "a:2"); // moves from b to a: both see it
    store.delete("/pods/x"); // files under its previous value
    store.put("/other/y", "a:1"); // outside the prefix
    expect(a.seen).toEqual(["PUT /pods/x a:2", "DELETE /pods/x a:2"]);
    expect(b.seen).toEqual(["PUT /pods/x b:1", "PUT /pods/x a:2"]);
    expect(all.seen).toEqual(["PUT /pods/x b:1", "PUT /pods/x a:2", "DELETE /pods/x a:2"]);
    expect(c.seen).toEqual([]);
    // One call per state and change, however many watchers share the index.
    expect(calls.count).toBe(1 + 2 + 1);
    for (const watch of [a, b, all, c]) watch.dispose();
    expect(store.watcherCount).toBe(0);
  });

  it("replays retained history through the trigger and keeps watchers in start order", () => {
    const store = new KeyValueStore();
    store.put("/pods/p", "a:1");
    const start = store.revision;
    store.put("/pods/q", "b:1");
    store.put("/pods/p", "b:2");
    const order: string[] = [];
    const replayed = record(store, "/pods/", {
      prefix: true,
      startRevision: start,
      trigger: { index: byNode, value: "a" },
    });
    expect(replayed.seen).toEqual(["PUT /pods/p a:1", "PUT /pods/p b:2"]);
    // Watchers of different keys, prefixes and triggers are served in the order they started.
    store.watch("/pods/r", {}, () => order.push("exact"));
    store.watch("/pods/", { prefix: true, trigger: { index: byNode, value: "a" } }, () => order.push("a"));
    store.watch("/", { prefix: true }, () => order.push("root"));
    store.watch("/pods/", { prefix: true }, () => order.push("pods"));
    store.put("/pods/r", "a:1");
    expect(order).toEqual(["exact", "a", "root", "pods"]);
  });

  it("a disposed triggered watcher gets nothing more, even what was queued for it", () => {
    const store = new KeyValueStore();
    const seen: string[] = [];
    let disposeB = () => {};
    store.watch("/pods/", { prefix: true }, () => disposeB());
    disposeB = store.watch("/pods/", { prefix: true, trigger: { index: byNode, value: "b" } }, (events) =>
      seen.push(...events.map((event) => event.kv.value)),
    );
    store.put("/pods/x", "b:1");
    store.put("/pods/x", "b:2");
    expect(seen).toEqual([]);
    expect(store.watcherCount).toBe(1);
  });

  it("replace: becomes a snapshot's contents, cancels every watch and tells the replaced listeners", () => {
    const store = new KeyValueStore();
    store.put("/a", "1");
    const saved = store.snapshot();
    store.put("/b", "2");
    store.put("/a", "3");
    const canceled: string[] = [];
    const seen: string[] = [];
    store.watch("/", { prefix: true, onCanceled: (compacted) => canceled.push(`prefix ${compacted}`) }, (events) =>
      seen.push(...events.map((event) => event.kv.key)),
    );
    store.watch(
      "/pods/",
      { prefix: true, trigger: { index: byNode, value: "a" }, onCanceled: () => canceled.push("triggered") },
      () => {},
    );
    store.watch("/a", {}, () => {});
    let replaced = 0;
    store.onReplaced(() => replaced++);
    store.replace(saved);
    expect(store.get("/a")?.value).toBe("1");
    expect(store.get("/b")).toBeUndefined();
    expect(store.revision).toBe(2);
    expect(canceled).toEqual(["prefix 0", "triggered"]);
    expect(replaced).toBe(1);
    expect(store.watcherCount).toBe(0);
    store.put("/c", "4");
    expect(seen).toEqual([]);
  });

  it("bumpRevision: moves the revision on and marks everything before it compacted (etcdutl --bump-revision --mark-compacted)", () => {
    const store = new KeyValueStore();
    store.put("/a", "1");
    store.bumpRevision(1000);
    expect(store.revision).toBe(1002);
    expect(store.compactRevision).toBe(1002);
    expect(() => store.range("/a", { revision: 2 })).toThrow(CompactedError);
    expect(store.put("/a", "2").modRevision).toBe(1003);
  });
});
