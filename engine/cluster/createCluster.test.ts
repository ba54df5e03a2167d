import { describe, expect, it } from "vitest";
import {
  ConfigMaps,
  Endpoints,
  Namespaces,
  PriorityClasses,
  ServiceAccounts,
  Services,
  StorageClasses,
} from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { KeyValueStore } from "../store/KeyValueStore";
import { createCluster } from "./createCluster";

describe("createCluster", () => {
  it("bootstraps what a fresh kubeadm cluster's API holds", async () => {
    const cluster = createCluster({ clock: new VirtualClock(), components: [], random: seededRandom(7) });
    await cluster.ready;
    const client = cluster.client();
    const namespaces = await client.list(Namespaces);
    expect(namespaces.items.map((namespace) => namespace.metadata.name).sort()).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
    ]);
    expect(namespaces.items.every((namespace) => namespace.status?.phase === "Active")).toBe(true);
    const kubernetes = await client.get(Services, "default", "kubernetes");
    expect(kubernetes.spec).toMatchObject({
      clusterIP: "10.96.0.1",
      ports: [{ name: "https", port: 443, targetPort: 6443 }],
    });
    expect((await client.get(Endpoints, "default", "kubernetes")).subsets[0].addresses[0].ip).toBe("192.168.0.2");
    for (const namespace of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      expect((await client.get(ConfigMaps, namespace, "kube-root-ca.crt")).data["ca.crt"]).toContain(
        "BEGIN CERTIFICATE",
      );
      expect((await client.get(ServiceAccounts, namespace, "default")).metadata.uid).toBeDefined();
    }
    expect((await client.get(PriorityClasses, undefined, "system-node-critical")).value).toBe(2000001000);
    expect((await client.get(StorageClasses, undefined, "standard")).metadata.annotations).toEqual({
      "storageclass.kubernetes.io/is-default-class": "true",
    });
    expect(cluster.store.get("/registry/services/specs/default/kubernetes")).toBeDefined();
    expect(cluster.nodeNames).toEqual(["controlplane", "node01", "node02"]);
    cluster.stop();
  });

  it("bootstraps in milliseconds of CPU and keeps idle clusters small", async () => {
    createCluster({ clock: new VirtualClock(), components: [] }).stop();
    // CPU time, not wall time: the test machine is shared, and the target (20 ms) is about our work.
    const before = process.cpuUsage();
    const clusters = Array.from({ length: 10 }, () => createCluster({ clock: new VirtualClock(), components: [] }));
    const used = process.cpuUsage(before);
    const perClusterMs = (used.user + used.system) / 1000 / clusters.length;
    expect(perClusterMs).toBeLessThan(40);
    expect(clusters[0].store.sizeBytes).toBeLessThan(200_000);
    for (const cluster of clusters) cluster.stop();
  });

  it("leaves a restored store's objects alone", async () => {
    const first = createCluster({ clock: new VirtualClock(), components: [] });
    await first.client().patch(Namespaces, undefined, "default", "merge", { metadata: { labels: { team: "a" } } });
    const restored = new KeyValueStore();
    restored.restore(first.store.snapshot());
    const second = createCluster({ clock: new VirtualClock(), components: [], store: restored });
    expect(second.store.revision).toBe(first.store.revision);
    expect((await second.client().get(Namespaces, undefined, "default")).metadata.labels?.team).toBe("a");
  });
});
