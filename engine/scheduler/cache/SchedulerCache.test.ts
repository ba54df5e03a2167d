import { describe, expect, it } from "vitest";
import type { Pod } from "../../api/core";
import { newPodInfo } from "../framework/PodInfo";
import { makeNode, makePod } from "../testing/builders";
import { SchedulerCache } from "./SchedulerCache";

function boundPod(name: string, nodeName: string, cpu = "500m"): { pending: Pod; bound: Pod } {
  const pending = makePod(name, { cpu, memory: "1Gi" });
  pending.metadata.uid = `uid-${name}`;
  const bound: Pod = { ...pending, spec: { containers: [], ...pending.spec, nodeName } };
  return { pending, bound };
}

describe("SchedulerCache", () => {
  it.each([
    {
      name: "confirming an assumed pod keeps the sums and swaps the object",
      previousIsAssumed: true,
      nodeName: "n1",
      fastPath: true,
    },
    {
      name: "a pod changed after it was assumed is re-added, not swapped",
      previousIsAssumed: false,
      nodeName: "n1",
      fastPath: false,
    },
    { name: "bound elsewhere than assumed is re-added", previousIsAssumed: true, nodeName: "n2", fastPath: false },
  ])("$name", ({ previousIsAssumed, nodeName, fastPath }) => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode("n1", { cpu: "4", memory: "8Gi" }));
    cache.addOrUpdateNode(makeNode("n2", { cpu: "4", memory: "8Gi" }));
    const { pending, bound } = boundPod("p", nodeName);
    const info = newPodInfo(pending);
    cache.assumePod(info, "n1");
    const previous = previousIsAssumed
      ? pending
      : { ...pending, metadata: { ...pending.metadata, labels: { a: "b" } } };
    const confirmed = cache.confirmAssumedPod("uid-p", bound, previous, nodeName);
    expect(confirmed).toBe(fastPath);
    if (!confirmed) cache.addOrUpdatePod(newPodInfo(bound), nodeName);
    expect(cache.isAssumed("uid-p")).toBe(false);
    expect(cache.podInfo("uid-p")?.pod).toBe(bound);
    const node = cache.node(nodeName);
    expect(node?.requestedMilliCPU).toBe(500);
    expect(node?.podCount).toBe(1);
    expect(node?.pods.get("uid-p")?.pod).toBe(bound);
    const other = cache.node(nodeName === "n1" ? "n2" : "n1");
    expect(other?.requestedMilliCPU).toBe(0);
    expect(other?.podCount).toBe(0);
  });

  it("keeps each node's numbers in its own table row, reused after the node goes", () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode("a", { cpu: "2", memory: "4Gi" }));
    cache.addOrUpdateNode(makeNode("b", { cpu: "8", memory: "16Gi" }));
    const a = cache.node("a");
    const b = cache.node("b");
    expect(a?.data).toBe(b?.data);
    expect(a?.base).not.toBe(b?.base);
    expect([a?.allocatableMilliCPU, b?.allocatableMilliCPU]).toEqual([2000, 8000]);
    expect(b?.allocatableMemory).toBe(16 * 2 ** 30);
    cache.removeNode("a");
    cache.addOrUpdateNode(makeNode("c", { cpu: "1", memory: "1Gi", unschedulable: true }));
    const c = cache.node("c");
    expect(c?.base).toBe(a?.base);
    expect(c?.allocatableMilliCPU).toBe(1000);
    expect(c?.requestedMilliCPU).toBe(0);
    expect(c?.unschedulable).toBe(true);
    expect(b?.allocatableMilliCPU).toBe(8000);
  });

  it("a clone's numbers are its own (preemption's dry runs)", () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode("a", { cpu: "2", memory: "4Gi" }));
    const node = cache.node("a");
    if (!node) throw new Error("no node");
    const copy = node.clone();
    copy.addPod(newPodInfo(boundPod("x", "a").bound));
    expect(copy.requestedMilliCPU).toBe(500);
    expect(copy.podCount).toBe(1);
    expect(node.requestedMilliCPU).toBe(0);
    expect(node.podCount).toBe(0);
  });
});
