import { describe, expect, it } from "vitest";
import type { Pod } from "../../../api/core";
import { Pods } from "../../../api/resources";
import { newPodInfo } from "../../framework/PodInfo";
import { controlPlaneTaint, makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

async function preempt(pods: Pod[], preemptor: Pod) {
  const nodes = [
    makeNode("cp", { taints: [controlPlaneTaint] }),
    makeNode("n1", { cpu: "2" }),
    makeNode("n2", { cpu: "2" }),
  ];
  const h = harness({ nodes, pods });
  for (const pod of pods) await h.client.create(Pods, pod);
  const result = h.schedule(preemptor);
  if (result.ok) throw new Error("expected the pod not to fit");
  const state = h.framework.newCycleState();
  const info = newPodInfo(preemptor);
  for (const plugin of h.framework.plugins) plugin.preFilter?.(state, info);
  const outcome = await h.plugin("DefaultPreemption").postFilter?.(state, info, result.statuses);
  return { outcome, h };
}

describe("DefaultPreemption", () => {
  it("picks the node whose victims have the lowest priority and evicts only what is needed", async () => {
    const pods = [
      makePod("n1-low", { cpu: "1", priority: 10, nodeName: "n1" }),
      makePod("n1-lower", { cpu: "1", priority: 5, nodeName: "n1" }),
      makePod("n2-mid", { cpu: "1500m", priority: 50, nodeName: "n2" }),
    ];
    const { outcome, h } = await preempt(pods, makePod("vip", { cpu: "1", priority: 100 }));
    expect(outcome?.nominatedNodeName).toBe("n1");
    // Reprieve: n1-low (more important) stays; n1-lower alone makes room.
    const remaining = h.client.all<Pod>(Pods).map((p) => p.metadata.name);
    expect(remaining.sort()).toEqual(["n1-low", "n2-mid"]);
  });

  const failures = [
    {
      name: "no lower-priority pods",
      pods: [
        makePod("a", { cpu: "2", priority: 100, nodeName: "n1" }),
        makePod("b", { cpu: "2", priority: 100, nodeName: "n2" }),
      ],
      preemptor: makePod("p", { cpu: "1", priority: 100 }),
      expected:
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    },
    {
      name: "evicting everything is still not enough",
      pods: [makePod("a", { cpu: "1", priority: 0, nodeName: "n1" })],
      preemptor: makePod("p", { cpu: "3", priority: 100 }),
      // n1 still lacks room without its pod; n2 is empty, so there is nothing to evict there.
      expected:
        "preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    },
    {
      name: "preemptionPolicy Never",
      pods: [
        makePod("a", { cpu: "2", priority: 0, nodeName: "n1" }),
        makePod("b", { cpu: "2", priority: 0, nodeName: "n2" }),
      ],
      preemptor: makePod("p", { cpu: "1", priority: 100, spec: { preemptionPolicy: "Never" } }),
      expected: "not eligible due to preemptionPolicy=Never.",
    },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      const { outcome } = await preempt(c.pods, c.preemptor);
      expect(outcome?.nominatedNodeName).toBeUndefined();
      expect(outcome?.status?.message()).toBe(c.expected);
    });
  }
});
