import { afterEach, describe, expect, it } from "vitest";
import type { ConfigMap, Pod } from "../../api/core";
import { ConfigMaps, CustomResourceDefinitions, Deployments, Pods, ReplicaSets } from "../../api/resources";
import type { KubeObject, OwnerReference } from "../../api/types";
import { createHarness, type Harness } from "../testing/harness";

function configMap(name: string, owners: OwnerReference[] = []): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", ownerReferences: owners },
    data: {},
  };
}

function ownerRef(object: KubeObject, block = false): OwnerReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name ?? "",
    uid: object.metadata.uid ?? "",
    blockOwnerDeletion: block,
  };
}

async function exists(harness: Harness, name: string): Promise<boolean> {
  try {
    await harness.client.get(ConfigMaps, "default", name);
    return true;
  } catch {
    return false;
  }
}

describe("GarbageCollector", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("deletes dependents of a deleted owner (Background)", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    const owner = await harness.client.create(ConfigMaps, configMap("owner"));
    await harness.client.create(ConfigMaps, configMap("child", [ownerRef(owner)]));
    await harness.client.create(
      ConfigMaps,
      configMap("grandchild", [ownerRef(await harness.client.get(ConfigMaps, "default", "child"))]),
    );
    await harness.settle();
    expect(await exists(harness, "child")).toBe(true);
    await harness.client.delete(ConfigMaps, "default", "owner", { propagationPolicy: "Background" });
    await harness.settle();
    expect(await exists(harness, "child")).toBe(false);
    expect(await exists(harness, "grandchild")).toBe(false);
  });

  it("keeps a dependent that still has another owner, dropping the dangling reference", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    const a = await harness.client.create(ConfigMaps, configMap("a"));
    const b = await harness.client.create(ConfigMaps, configMap("b"));
    await harness.client.create(ConfigMaps, configMap("shared", [ownerRef(a), ownerRef(b)]));
    await harness.settle();
    await harness.client.delete(ConfigMaps, "default", "a");
    await harness.settle();
    const shared = await harness.client.get<ConfigMap>(ConfigMaps, "default", "shared");
    expect(shared.metadata.ownerReferences?.map((r) => r.name)).toEqual(["b"]);
  });

  it("deletes an object whose owner never existed", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    await harness.client.create(
      ConfigMaps,
      configMap("dangling", [
        { apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: "00000000-0000-0000-0000-000000000000" },
      ]),
    );
    await harness.settle();
    expect(await exists(harness, "dangling")).toBe(false);
  });

  it("Foreground: the owner waits for blocking dependents, deepest first", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    const owner = await harness.client.create(ConfigMaps, configMap("owner"));
    const child = await harness.client.create(ConfigMaps, configMap("child", [ownerRef(owner, true)]));
    await harness.client.create(ConfigMaps, configMap("grandchild", [ownerRef(child, true)]));
    await harness.settle();
    const order: string[] = [];
    const stop = harness.client.watch(ConfigMaps, "default", {}, (event) => {
      if (event.type === "DELETED") order.push(event.object.metadata.name ?? "");
    });
    await harness.client.delete(ConfigMaps, "default", "owner", { propagationPolicy: "Foreground" });
    const during = await harness.client.get<ConfigMap>(ConfigMaps, "default", "owner");
    expect(during.metadata.finalizers).toContain("foregroundDeletion");
    expect(during.metadata.deletionTimestamp).toBeDefined();
    await harness.settle();
    stop();
    expect(order).toEqual(["grandchild", "child", "owner"]);
  });

  it("Orphan: dependents lose the owner reference and survive", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    const owner = await harness.client.create(ConfigMaps, configMap("owner"));
    await harness.client.create(ConfigMaps, configMap("child", [ownerRef(owner, true)]));
    await harness.settle();
    await harness.client.delete(ConfigMaps, "default", "owner", { propagationPolicy: "Orphan" });
    await harness.settle();
    expect(await exists(harness, "owner")).toBe(false);
    const child = await harness.client.get<ConfigMap>(ConfigMaps, "default", "child");
    expect(child.metadata.ownerReferences ?? []).toEqual([]);
  });

  it("does not hang on a cycle of owner references", async () => {
    harness = await createHarness({ controllers: ["garbagecollector"] });
    const a = await harness.client.create(ConfigMaps, configMap("a"));
    const b = await harness.client.create(ConfigMaps, configMap("b", [ownerRef(a, true)]));
    await harness.client.patch(ConfigMaps, "default", "a", "merge", {
      metadata: { ownerReferences: [ownerRef(b, true)] },
    });
    await harness.settle();
    // Both are owned by something that exists: nothing is collected.
    expect(await exists(harness, "a")).toBe(true);
    expect(await exists(harness, "b")).toBe(true);
    await harness.client.delete(ConfigMaps, "default", "a", { propagationPolicy: "Foreground" });
    await harness.settle(1000);
    expect(await exists(harness, "a")).toBe(false);
    expect(await exists(harness, "b")).toBe(false);
  });

  it("cascades a Deployment to its ReplicaSets and pods", async () => {
    harness = await createHarness({ controllers: ["garbagecollector", "deployment", "replicaset"] });
    await harness.client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
      },
    });
    await harness.settle();
    expect(await harness.list<Pod>(Pods, "default", "app=web")).toHaveLength(2);
    await harness.client.delete(Deployments, "default", "web");
    await harness.settle();
    expect(await harness.list(ReplicaSets, "default")).toHaveLength(0);
    expect(await harness.list<Pod>(Pods, "default", "app=web")).toHaveLength(0);
  });
});

describe("GarbageCollector with custom resources", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("deletes a pod owned by a custom resource when the custom resource goes", async () => {
    harness = await createHarness({ controllers: ["garbagecollector", "replicaset"] });
    await harness.client.create(CustomResourceDefinitions, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
    await harness.settle();
    const widgets = { group: "example.com", version: "v1", resource: "widgets" };
    const widget = await harness.client.create(widgets, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default" },
    });
    await harness.client.create<Pod>(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "worker",
        namespace: "default",
        labels: { app: "web" },
        ownerReferences: [{ ...ownerRef(widget, true), controller: true }],
      },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    // A ReplicaSet selecting the same labels leaves a pod controlled by someone else alone.
    await harness.client.create(ReplicaSets, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    await harness.settle();
    const worker = await harness.client.get<Pod>(Pods, "default", "worker");
    expect(worker.metadata.ownerReferences?.map((r) => r.kind)).toEqual(["Widget"]);
    expect(await harness.list<Pod>(Pods, "default", "app=web")).toHaveLength(2);
    await harness.client.delete(widgets, "default", "w");
    await harness.settle();
    await expect(harness.client.get(Pods, "default", "worker")).rejects.toMatchObject({ reason: "NotFound" });
  });
});
