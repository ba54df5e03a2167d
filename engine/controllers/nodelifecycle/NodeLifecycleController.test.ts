import { afterEach, describe, expect, it } from "vitest";
import type { Lease } from "../../api/coordination";
import type { Event, Node, Pod } from "../../api/core";
import { Events, Leases, Nodes, Pods } from "../../api/resources";
import { toRfc3339, toRfc3339Micro } from "../../clock/Clock";
import { createHarness, type Harness } from "../testing/harness";

async function addNode(harness: Harness, name: string): Promise<void> {
  const now = toRfc3339(harness.clock.now());
  await harness.client.create<Node>(Nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: {},
  });
  const node = await harness.client.get<Node>(Nodes, undefined, name);
  node.status = {
    conditions: ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"].map((type) => ({
      type,
      status: type === "Ready" ? "True" : "False",
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason: type === "Ready" ? "KubeletReady" : `KubeletHasNo${type}`,
      message: "ok",
    })),
  };
  await harness.client.update(Nodes, node, { subresource: "status" });
  await renewLease(harness, name);
}

async function renewLease(harness: Harness, name: string): Promise<void> {
  const renewTime = toRfc3339Micro(harness.clock.now());
  try {
    const lease = await harness.client.get<Lease>(Leases, "kube-node-lease", name);
    lease.spec = { ...(lease.spec ?? {}), renewTime };
    await harness.client.update(Leases, lease);
  } catch {
    await harness.client.create<Lease>(Leases, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: "kube-node-lease" },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    });
  }
}

function podOn(name: string, tolerationSeconds?: number): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      containers: [{ name: "c", image: "nginx" }],
      tolerations:
        tolerationSeconds === undefined
          ? []
          : [
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds },
              { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds },
            ],
    },
  };
}

async function podExists(harness: Harness, name: string): Promise<boolean> {
  try {
    const pod = await harness.client.get<Pod>(Pods, "default", name);
    return !pod.metadata.deletionTimestamp;
  } catch {
    return false;
  }
}

describe("NodeLifecycleController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("marks a silent node Unknown after 50 s, taints it, and evicts pods when tolerations run out", async () => {
    harness = await createHarness({ controllers: ["node-lifecycle"] });
    await addNode(harness, "node01");
    await harness.client.create(Pods, podOn("patient", 300));
    // Admission gives pods without these tolerations 300 s ones; 0 s means "evict at once".
    await harness.client.create(Pods, podOn("intolerant", 0));
    await harness.runPods({ nodes: ["node01"] });
    await harness.settle();
    // Heartbeats keep it Ready.
    await harness.settle(30_000);
    await renewLease(harness, "node01");
    await harness.settle(30_000);
    let node = await harness.client.get<Node>(Nodes, undefined, "node01");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(node.spec?.taints ?? []).toEqual([]);

    // Silence: 50 s after the last renewal the node turns Unknown.
    await harness.settle(19_000);
    node = await harness.client.get<Node>(Nodes, undefined, "node01");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    await harness.settle(1_500);
    node = await harness.client.get<Node>(Nodes, undefined, "node01");
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
    expect(node.status?.conditions?.every((c) => c.status === "Unknown")).toBe(true);
    expect(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/unreachable:NoSchedule",
    ]);
    // The pod without tolerations goes at once; the other one after its 300 s.
    expect(await podExists(harness, "intolerant")).toBe(false);
    expect(await podExists(harness, "patient")).toBe(true);
    await harness.settle(299_000);
    expect(await podExists(harness, "patient")).toBe(true);
    await harness.settle(1_500);
    expect(await podExists(harness, "patient")).toBe(false);
    const events = await harness.list<Event>(Events, "default");
    expect(
      events
        .filter((e) => e.reason === "TaintManagerEviction")
        .map((e) => e.message)
        .sort(),
    ).toEqual(["Marking for deletion Pod default/intolerant", "Marking for deletion Pod default/patient"]);
    // Idle once done: only the clock timers that are truly due later remain (none here).
    expect(harness.clock.pendingTimers).toBe(0);
  });

  it("removes the taints when the node is Ready again, and taints cordoned nodes unschedulable", async () => {
    harness = await createHarness({ controllers: ["node-lifecycle"] });
    await addNode(harness, "node01");
    await harness.settle(51_000);
    expect((await harness.client.get<Node>(Nodes, undefined, "node01")).spec?.taints).toHaveLength(2);
    await addNodeReady(harness, "node01");
    await harness.settle();
    expect((await harness.client.get<Node>(Nodes, undefined, "node01")).spec?.taints ?? []).toEqual([]);
    await harness.client.patch(Nodes, undefined, "node01", "merge", { spec: { unschedulable: true } });
    await harness.settle();
    expect((await harness.client.get<Node>(Nodes, undefined, "node01")).spec?.taints).toEqual([
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]);
  });
});

async function addNodeReady(harness: Harness, name: string): Promise<void> {
  await renewLease(harness, name);
  const node = await harness.client.get<Node>(Nodes, undefined, name);
  const now = toRfc3339(harness.clock.now());
  for (const condition of node.status?.conditions ?? []) {
    condition.status = condition.type === "Ready" ? "True" : "False";
    condition.lastHeartbeatTime = now;
    condition.lastTransitionTime = now;
  }
  await harness.client.update(Nodes, node, { subresource: "status" });
}
