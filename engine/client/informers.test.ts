import { describe, expect, it } from "vitest";
import { ConfigMaps, Pods } from "../api/resources";
import type { KubeObject } from "../api/types";
import { createTestServer } from "../apiserver/testing/testServer";
import { Informer, SharedInformerFactory } from "./informers";
import { withoutManagedFields } from "./withoutManagedFields";

const configMap = (name: string, namespace = "default", labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels },
});

describe("Informer", () => {
  it("lists, then follows changes with add/update/delete handlers and indexes", async () => {
    const { client, clock } = createTestServer();
    await client.create(ConfigMaps, configMap("a", "default", { app: "x" }));
    const factory = new SharedInformerFactory(client, clock);
    const informer = factory.informer(ConfigMaps);
    const seen: string[] = [];
    informer.addHandlers({
      add: (object) => seen.push(`add ${object.metadata.name}`),
      update: (_old, object) => seen.push(`update ${object.metadata.name}`),
      delete: (object) => seen.push(`delete ${object.metadata.name}`),
    });
    factory.start();
    await factory.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    await client.create(ConfigMaps, configMap("b", "kube-public", { app: "y" }));
    await client.patch(ConfigMaps, "default", "a", "merge", { data: { k: "v" } });
    await client.delete(ConfigMaps, "default", "a");
    expect(seen.filter((line) => !line.includes("kube-root-ca"))).toEqual(["add a", "add b", "update a", "delete a"]);
    expect(
      informer
        .list("kube-public")
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(["b", "kube-root-ca.crt"]);
    expect(informer.listBySelector("app=y").map((object) => object.metadata.name)).toEqual(["b"]);
    expect(Object.isFrozen(informer.get("kube-public", "b"))).toBe(true);
    // A handler added late first hears about everything cached.
    const late: string[] = [];
    informer.addHandlers({ add: (object) => late.push(object.metadata.name ?? "") });
    expect(late).toContain("b");
    factory.stop();
  });

  it("relists after a 410 and reconciles what changed while it was away", async () => {
    const { client, clock, store } = createTestServer({ historyLimit: 10 });
    const factory = new SharedInformerFactory(client, clock);
    const informer = factory.informer(Pods);
    const deleted: string[] = [];
    informer.addHandlers({ delete: (object) => deleted.push(object.metadata.name ?? "") });
    factory.start();
    await factory.waitForSync();
    informer.stop();
    const pod = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [] },
    });
    await client.create(Pods, pod("gone"));
    informer.start();
    await clock.advance(1);
    expect(informer.get("default", "gone")).toBeDefined();
    informer.stop();
    await client.delete(Pods, "default", "gone");
    for (let index = 0; index < 30; index++) await client.create(ConfigMaps, configMap(`filler${index}`));
    expect(store.compactRevision).toBeGreaterThan(Number(informer.lastSyncResourceVersion));
    // Resuming from a compacted resourceVersion: the watch answers 410, the informer relists.
    (informer as unknown as { stopped: boolean }).stopped = false;
    (informer as unknown as { watch(): void }).watch();
    await clock.advance(1);
    expect(informer.get("default", "gone")).toBeUndefined();
    expect(deleted).toEqual(["gone"]);
  });
});

describe("Informer without managedFields", () => {
  it("caches objects without managedFields, one frozen copy shared by every informer, and updates from it keep them", async () => {
    const { client, clock } = createTestServer();
    await client.create(ConfigMaps, configMap("listed"));
    const first = new SharedInformerFactory(client, clock);
    const second = new SharedInformerFactory(client, clock);
    const kept = new Informer<KubeObject>(client, clock, ConfigMaps, { keepManagedFields: true });
    for (const factory of [first, second]) factory.informer(ConfigMaps);
    first.start();
    second.start();
    kept.start();
    await Promise.all([first.waitForSync(), second.waitForSync(), kept.waitForSync()]);
    // Labels too many to be shared by content (more than 48 values): the same only if taken whole.
    const labels = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`label-${index}`, "x"]));
    await client.create(ConfigMaps, configMap("watched", "default", labels));
    const stored = await client.get(ConfigMaps, "default", "watched");
    expect(stored.metadata.managedFields?.[0]).toMatchObject({ manager: expect.any(String), operation: "Update" });

    for (const name of ["listed", "watched"]) {
      const cached = first.informer(ConfigMaps).get("default", name);
      expect(cached?.metadata.name).toBe(name);
      expect(cached?.metadata).not.toHaveProperty("managedFields");
      expect(Object.isFrozen(cached) && Object.isFrozen(cached?.metadata)).toBe(true);
      expect(kept.get("default", name)?.metadata.managedFields).toHaveLength(1);
    }
    // The watched object's trimmed copy is the same object in both informers.
    expect(first.informer(ConfigMaps).get("default", "watched")).toBe(
      second.informer(ConfigMaps).get("default", "watched"),
    );

    // An update made from a cached (trimmed) object leaves the stored managedFields as the server tracks them.
    const cached = first.informer(ConfigMaps).get("default", "watched") as KubeObject;
    await client.update(ConfigMaps, { ...structuredClone(cached), data: { k: "v" } } as KubeObject, {
      fieldManager: "editor",
    });
    const updated = await client.get(ConfigMaps, "default", "watched");
    expect(updated.metadata.managedFields?.map((entry) => entry.manager)).toEqual([
      stored.metadata.managedFields?.[0].manager,
      "editor",
    ]);
    // The new revision's cached form keeps the parts the update did not change from the previous one.
    const revised = first.informer(ConfigMaps).get("default", "watched") as KubeObject;
    expect(revised.data).toEqual({ k: "v" });
    expect(revised.metadata.labels).toBe(cached.metadata.labels);
    first.stop();
    second.stop();
    kept.stop();
  });
});

describe("withoutManagedFields", () => {
  it("copies without managedFields, freezes, gives a frozen object one shared copy, and shares equal small parts", () => {
    const managed = { manager: "m", operation: "Update" as const };
    const tolerations = [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }];
    const owned: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "a", managedFields: [managed] },
      spec: { tolerations: structuredClone(tolerations) },
    };
    const copy = withoutManagedFields(owned);
    expect(copy).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "a" }, spec: { tolerations } });
    expect(owned.metadata.managedFields).toEqual([managed]);
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.metadata)).toBe(true);
    expect(Object.isFrozen((copy as unknown as { spec: { tolerations: object[] } }).spec.tolerations[0])).toBe(true);

    const frozen = Object.freeze({
      apiVersion: "v1",
      kind: "Pod",
      metadata: Object.freeze({ name: "b", managedFields: [managed] }),
      spec: Object.freeze({ tolerations: structuredClone(tolerations) }),
    }) as KubeObject;
    const shared = withoutManagedFields(frozen);
    expect(shared).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "b" }, spec: { tolerations } });
    expect(withoutManagedFields(frozen)).toBe(shared);
    expect(frozen.metadata.managedFields).toEqual([managed]);
    // Equal parts of two objects are one object.
    const tolerationsOf = (object: KubeObject) =>
      (object as unknown as { spec: { tolerations: object[] } }).spec.tolerations;
    expect(tolerationsOf(shared)).toBe(tolerationsOf(copy));
  });

  it("shares a new revision against the previous form: its equal parts are taken whole, what changed is shared anew", () => {
    const scheduled = { type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" };
    const ready = { type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:05Z" };
    const pod = (resourceVersion: string, conditions: object[], annotations: Record<string, string>) =>
      ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "web-1",
          resourceVersion,
          labels: { app: "web" },
          annotations,
          managedFields: [{ manager: "kubelet" }],
        },
        spec: {
          // More than the largest part shared by content (48 values): the same only if taken whole.
          containers: [
            {
              name: "app",
              image: "nginx:1.27",
              env: Array.from({ length: 30 }, (_, index) => ({ name: `V${index}`, value: "x" })),
            },
          ],
          nodeName: "node-1",
        },
        status: { phase: "Running", conditions },
      }) as unknown as KubeObject;
    type Form = {
      metadata: { labels: object; annotations: Record<string, string> };
      spec: { containers: object[] };
      status: { conditions: object[] };
    };
    const first = withoutManagedFields(pod("1", [scheduled], { a: "1", b: "2" })) as unknown as Form;
    const next = pod("2", [scheduled, ready], { b: "2", a: "1" });
    const second = withoutManagedFields(next, first as unknown as KubeObject) as unknown as Form;

    // The same content, in the new object's key order, as without a previous form.
    const { managedFields: _, ...metadata } = next.metadata;
    expect(JSON.stringify(second)).toBe(JSON.stringify({ ...next, metadata }));
    expect(second).toEqual(withoutManagedFields(structuredClone(next)));
    // Unchanged parts are the previous form's; a part whose members moved is not.
    expect(second.spec.containers).toBe(first.spec.containers);
    expect(second.metadata.labels).toBe(first.metadata.labels);
    expect(second.status.conditions[0]).toBe(first.status.conditions[0]);
    expect(second.status.conditions).not.toBe(first.status.conditions);
    expect(second.metadata.annotations).not.toBe(first.metadata.annotations);
    expect(Object.keys(second.metadata.annotations)).toEqual(["b", "a"]);
    expect(Object.isFrozen(second.status.conditions) && Object.isFrozen(second.status.conditions[1])).toBe(true);
    // A changed part holding parts of the previous form is still shared with equal parts of others.
    const other = withoutManagedFields(pod("7", [scheduled, ready], {})) as unknown as Form;
    expect(other.status.conditions).toBe(second.status.conditions);
    expect(other.spec.containers).not.toBe(first.spec.containers);
    expect(other.spec.containers).toEqual(first.spec.containers);
  });
});
