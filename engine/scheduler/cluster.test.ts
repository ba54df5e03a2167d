import { describe, expect, it } from "vitest";
import type { Event, Node, Pod } from "../api/core";
import { Events, Nodes, Pods, PriorityClasses } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "../cluster/createCluster";

const node = (name: string, cpu: string, taints?: Node["spec"]): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name } },
  spec: taints,
  status: { capacity: { cpu, memory: "8Gi", pods: "110" }, allocatable: { cpu, memory: "8Gi", pods: "110" } },
});

const pod = (name: string, cpu: string, extra: Partial<NonNullable<Pod["spec"]>> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "app", image: "nginx", resources: { requests: { cpu } } }], ...extra },
});

/** The scheduler against the real API server: admission (priority), binding, status and events. */
describe("kube-scheduler in a cluster", () => {
  it("reports FailedScheduling as upstream, then preempts for a higher-priority pod", async () => {
    const clock = new VirtualClock();
    const cluster = createCluster({ clock, components: ["kube-scheduler"], random: seededRandom(1) });
    await cluster.ready;
    const client = cluster.client();
    await client.create(
      Nodes,
      node("controlplane", "2", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
    );
    await client.create(Nodes, node("node01", "1"));
    await client.create(Nodes, node("node02", "1"));
    await clock.advance(100);

    await client.create(Pods, pod("big", "2"));
    await clock.advance(100);
    const message =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
      "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    const events = (await client.list<Event>(Events, "default")).items.filter((e) => e.involvedObject.name === "big");
    expect(events.map((e) => [e.reason, e.message, e.reportingComponent, e.action])).toEqual([
      ["FailedScheduling", message, "default-scheduler", "Scheduling"],
    ]);
    const big = await client.get<Pod>(Pods, "default", "big");
    expect(big.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      message,
    });

    // Low-priority pods fill the workers; a pod of a higher PriorityClass preempts one of them.
    await client.create(Pods, pod("filler-1", "700m"));
    await client.create(Pods, pod("filler-2", "700m"));
    await clock.advance(100);
    await client.create(PriorityClasses, {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 1000,
    });
    await client.create(Pods, pod("vip", "700m", { priorityClassName: "high" }));
    await clock.advance(100);
    const vip = await client.get<Pod>(Pods, "default", "vip");
    expect(vip.spec?.priority).toBe(1000);
    expect(["node01", "node02"]).toContain(vip.status?.nominatedNodeName);
    // Without kubelets the victim stays in graceful deletion (deletionTimestamp set), marked as disrupted.
    const fillers = (await client.list<Pod>(Pods, "default")).items.filter((p) =>
      p.metadata.name?.startsWith("filler"),
    );
    const victims = fillers.filter((p) => p.metadata.deletionTimestamp);
    expect(victims).toHaveLength(1);
    expect(victims[0].spec?.nodeName).toBe(vip.status?.nominatedNodeName);
    expect(victims[0].status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({
      status: "True",
      reason: "PreemptionByScheduler",
    });
    const preempted = (await client.list<Event>(Events, "default")).items.find((e) => e.reason === "Preempted");
    expect(preempted?.message).toBe(`Preempted by pod ${vip.metadata.uid} on node ${vip.status?.nominatedNodeName}`);
    cluster.stop();
  });
});
