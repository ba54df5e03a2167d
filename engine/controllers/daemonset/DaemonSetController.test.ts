import { afterEach, describe, expect, it } from "vitest";
import type { DaemonSet } from "../../api/apps";
import type { Event, Node, Pod } from "../../api/core";
import { DaemonSets, Events, Nodes, Pods, ResourceQuotas } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

async function addNode(harness: Harness, name: string, spec: Node["spec"] = {}, labels: Record<string, string> = {}) {
  await harness.client.create<Node>(Nodes, { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec });
}

function daemonSet(extra: Partial<NonNullable<DaemonSet["spec"]>> = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "agent", image: "busybox" }] } },
      ...extra,
    },
  };
}

function pinnedNode(pod: Pod): string | undefined {
  return pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
    ?.matchFields?.[0]?.values?.[0];
}

describe("DaemonSetController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("runs one pod per eligible node, skipping tainted and unselected nodes", async () => {
    harness = await createHarness({ controllers: ["daemonset"] });
    await addNode(harness, "controlplane", {
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    });
    await addNode(harness, "node01", {}, { disk: "ssd" });
    await addNode(harness, "node02");
    await harness.client.create(DaemonSets, daemonSet());
    await harness.settle();
    let pods = await harness.list<Pod>(Pods, "default", "app=agent");
    expect(pods.map(pinnedNode).sort()).toEqual(["node01", "node02"]);
    expect(pods[0].spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining([
        "node.kubernetes.io/unreachable:NoExecute",
        "node.kubernetes.io/unschedulable:NoSchedule",
      ]),
    );
    expect(pods[0].metadata.labels?.["controller-revision-hash"]).toBeTruthy();
    await harness.runPods({ nodes: ["node01"], filter: (pod) => pinnedNode(pod) === "node01" });
    await harness.runPods({ nodes: ["node02"], filter: (pod) => pinnedNode(pod) === "node02" });
    await harness.settle();
    let ds = await harness.client.get<DaemonSet>(DaemonSets, "default", "agent");
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 2,
      numberMisscheduled: 0,
    });
    // A new node gets its pod.
    await addNode(harness, "node03");
    await harness.settle();
    pods = await harness.list<Pod>(Pods, "default", "app=agent");
    expect(pods.map(pinnedNode).sort()).toEqual(["node01", "node02", "node03"]);
    // Tolerating the control-plane taint adds the control plane.
    await harness.client.patch(DaemonSets, "default", "agent", "merge", {
      spec: {
        template: {
          spec: {
            tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
          },
        },
      },
    });
    await harness.settle();
    ds = await harness.client.get<DaemonSet>(DaemonSets, "default", "agent");
    expect(ds.status?.desiredNumberScheduled).toBe(4);
  });

  it("rolls out a new template one node at a time (maxUnavailable 1)", async () => {
    harness = await createHarness({ controllers: ["daemonset"] });
    for (const name of ["node01", "node02", "node03"]) await addNode(harness, name);
    await harness.client.create(DaemonSets, daemonSet());
    await harness.settle();
    const run = async () => {
      for (const pod of await harness.list<Pod>(Pods, "default", "app=agent")) {
        const node = pinnedNode(pod);
        if (node) await harness.runPods({ nodes: [node], filter: (p) => p.metadata.name === pod.metadata.name });
      }
    };
    await run();
    await harness.settle();
    await harness.client.patch(DaemonSets, "default", "agent", "json", [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "busybox:1.37" },
    ]);
    let maxDown = 0;
    for (let i = 0; i < 12; i++) {
      await harness.settle();
      const live = (await harness.list<Pod>(Pods, "default", "app=agent")).filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      maxDown = Math.max(maxDown, 3 - ready.length);
      await harness.finishTerminating();
      await harness.settle();
      await run();
    }
    const pods = await harness.list<Pod>(Pods, "default", "app=agent");
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(["busybox:1.37", "busybox:1.37", "busybox:1.37"]);
    expect(maxDown).toBeLessThanOrEqual(1);
    const ds = await harness.client.get<DaemonSet>(DaemonSets, "default", "agent");
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3 });
  });
  it("creates in slow-start batches: a quota that refuses the second pod costs one more call, not one per node", async () => {
    harness = await createHarness({ controllers: ["daemonset", "resourcequota"] });
    for (let i = 1; i <= 12; i++) await addNode(harness, `node${String(i).padStart(2, "0")}`);
    await harness.client.create(ResourceQuotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "pods", namespace: "default" },
      spec: { hard: { pods: "1" } },
    });
    await harness.settle();
    await harness.client.create(DaemonSets, daemonSet());
    await harness.settle();
    expect(await harness.list<Pod>(Pods, "default", "app=agent")).toHaveLength(1);
    const failed = (await harness.list<Event>(Events, "default")).filter((e) => e.reason === "FailedCreate");
    // Batch 1 succeeded, batch 2 (two calls) was refused, the 9 nodes left were never tried; the
    // status write that follows resyncs once more (one refused call). Without slow start: 11.
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThanOrEqual(3);
    expect(failed[0].message).toContain("exceeded quota: pods");
  });
});
