import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

describe("NodeUnschedulable", () => {
  const cases = [
    { name: "schedulable node", unschedulable: false, tolerations: undefined, expected: "fits" },
    {
      name: "cordoned node",
      unschedulable: true,
      tolerations: undefined,
      expected: "UnschedulableAndUnresolvable: node(s) were unschedulable",
    },
    {
      name: "cordoned node, pod tolerates the unschedulable taint",
      unschedulable: true,
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
      expected: "fits",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("n1", { unschedulable: c.unschedulable })] });
      expect(
        describeStatus(h.filter("NodeUnschedulable", makePod("p", { spec: { tolerations: c.tolerations } }), "n1")),
      ).toBe(c.expected);
    });
  }
});
