import { describe, expect, it } from "vitest";
import { ConfigMaps, Pods } from "../api/resources";
import type { KubeObject } from "../api/types";
import { createTestServer } from "../apiserver/testing/testServer";
import { SharedInformerFactory } from "./informers";

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
