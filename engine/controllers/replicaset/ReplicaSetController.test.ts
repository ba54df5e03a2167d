import { afterEach, describe, expect, it } from "vitest";
import type { ReplicaSet } from "../../api/apps";
import type { Event, Pod } from "../../api/core";
import { Events, Pods, ReplicaSets, ResourceQuotas } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function replicaSet(name: string, replicas: number, labels: Record<string, string> = { app: name }): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
    },
  };
}

describe("ReplicaSetController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("creates pods named <rs>-<5 chars> with a controller reference, and reports status", async () => {
    harness = await createHarness({ controllers: ["replicaset"] });
    await harness.client.create(ReplicaSets, replicaSet("web", 3));
    await harness.settle();
    const pods = await harness.list<Pod>(Pods, "default", "app=web");
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: "ReplicaSet", name: "web", controller: true, blockOwnerDeletion: true }),
      ]);
    }
    await harness.runPods();
    await harness.settle();
    const rs = await harness.client.get<ReplicaSet>(ReplicaSets, "default", "web");
    expect(rs.status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    const events = await harness.list<Event>(Events, "default");
    const created = events.filter((event) => event.reason === "SuccessfulCreate");
    expect(created).toHaveLength(3);
    expect(created[0].message).toMatch(/^Created pod: web-[a-z0-9]{5}$/);
    expect(created[0].source?.component).toBe("replicaset-controller");
  });

  it("replaces a deleted pod and scales down the not-ready pods first", async () => {
    harness = await createHarness({ controllers: ["replicaset"] });
    await harness.client.create(ReplicaSets, replicaSet("web", 3));
    await harness.settle();
    await harness.runPods();
    await harness.settle();
    const [victim] = await harness.list<Pod>(Pods, "default", "app=web");
    await harness.client.delete(Pods, "default", victim.metadata.name ?? "", { gracePeriodSeconds: 0 });
    await harness.settle();
    let pods = await harness.list<Pod>(Pods, "default", "app=web");
    expect(pods).toHaveLength(3);
    const fresh = pods.find((pod) => !pod.spec?.nodeName);
    expect(fresh).toBeDefined();

    const rs = await harness.client.get<ReplicaSet>(ReplicaSets, "default", "web");
    rs.spec = { ...(rs.spec as NonNullable<ReplicaSet["spec"]>), replicas: 2 };
    await harness.client.update(ReplicaSets, rs);
    await harness.settle();
    pods = (await harness.list<Pod>(Pods, "default", "app=web")).filter((pod) => !pod.metadata.deletionTimestamp);
    expect(pods).toHaveLength(2);
    // The unscheduled pod went first.
    expect(pods.some((pod) => pod.metadata.name === fresh?.metadata.name)).toBe(false);
    const deleted = (await harness.list<Event>(Events, "default")).filter(
      (event) => event.reason === "SuccessfulDelete",
    );
    expect(deleted.map((event) => event.message)).toEqual([`Deleted pod: ${fresh?.metadata.name}`]);
  });

  it("adopts matching orphans and leaves pods controlled by others alone", async () => {
    harness = await createHarness({ controllers: ["replicaset"] });
    const orphan: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan", namespace: "default", labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    };
    await harness.client.create(Pods, orphan);
    await harness.client.create(ReplicaSets, replicaSet("other", 1, { app: "web" }));
    await harness.settle();
    // "other" adopted the orphan, so it needs no new pod.
    const pods = await harness.list<Pod>(Pods, "default");
    expect(pods.map((pod) => pod.metadata.name)).toEqual(["orphan"]);
    expect(pods[0].metadata.ownerReferences?.[0]).toMatchObject({ name: "other", controller: true });
    // A second ReplicaSet with an overlapping selector does not steal it; it creates its own.
    await harness.client.create(ReplicaSets, replicaSet("second", 1, { app: "web" }));
    await harness.settle();
    const all = await harness.list<Pod>(Pods, "default");
    expect(all).toHaveLength(2);
    expect(all.find((pod) => pod.metadata.name === "orphan")?.metadata.ownerReferences?.[0].name).toBe("other");
  });

  it("releases a pod relabelled out of its selector and replaces it", async () => {
    harness = await createHarness({ controllers: ["replicaset"] });
    await harness.client.create(ReplicaSets, replicaSet("web", 1));
    await harness.settle();
    const [pod] = await harness.list<Pod>(Pods, "default", "app=web");
    await harness.client.patch(Pods, "default", pod.metadata.name ?? "", "merge", {
      metadata: { labels: { app: "debug" } },
    });
    await harness.settle();
    const released = await harness.client.get<Pod>(Pods, "default", pod.metadata.name ?? "");
    expect(released.metadata.ownerReferences).toBeUndefined();
    expect(await harness.list<Pod>(Pods, "default", "app=web")).toHaveLength(1);
  });
  it("stops at a quota: FailedCreate, ReplicaFailure, and retries with back-off rather than in a loop", async () => {
    harness = await createHarness({ controllers: ["replicaset", "resourcequota"] });
    await harness.client.create(ResourceQuotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "pods", namespace: "default" },
      spec: { hard: { pods: "3" } },
    });
    await harness.settle();
    await harness.client.create(ReplicaSets, replicaSet("big", 100_000));
    await harness.settle(60_000);
    expect(await harness.list<Pod>(Pods, "default", "app=big")).toHaveLength(3);
    const failed = (await harness.list<Event>(Events, "default")).filter((e) => e.reason === "FailedCreate");
    for (const event of failed) {
      expect(event.message).toMatch(
        /^(\(combined from similar events\): )?Error creating: pods "big-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3$/,
      );
    }
    // The batch of 4 that hit the quota, then one create per retry, 5 ms doubling: about 14 in a minute;
    // from the 10th on, the correlator writes them on one combined Event (as upstream).
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed.length).toBeLessThanOrEqual(10);
    expect(failed.length).toBeLessThan(25);
    const rs = await harness.client.get<ReplicaSet>(ReplicaSets, "default", "big");
    expect(rs.status?.conditions).toEqual([
      expect.objectContaining({ type: "ReplicaFailure", reason: "FailedCreate" }),
    ]);
  });
  it("a small ReplicaSet gets its pods while a big one is in the middle of a 500-pod burst", async () => {
    harness = await createHarness({ controllers: ["replicaset"] });
    const order: string[] = [];
    const { resourceVersion } = (await harness.client.list(Pods, "default")).metadata;
    const stop = harness.client.watch<Pod>(
      Pods,
      "default",
      { resourceVersion },
      (event) => {
        if (event.type === "ADDED") order.push(event.object.metadata.labels?.app ?? "");
      },
      () => {},
    );
    await harness.client.create(ReplicaSets, replicaSet("big", 600));
    await harness.client.create(ReplicaSets, replicaSet("small", 2));
    await harness.settle();
    stop();
    expect(order.filter((app) => app === "big")).toHaveLength(600);
    // Side by side (5 workers, as --concurrent-replicaset-syncs): not after big's first 500.
    expect(order.lastIndexOf("small")).toBeLessThan(50);
  });
});
