import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

describe("NodeResourcesBalancedAllocation", () => {
  const cases = [
    { name: "balanced request", cpu: "2", memory: "4Gi", expected: 100 },
    { name: "cpu heavy", cpu: "4", memory: "0", expected: 50 },
    { name: "half and quarter", cpu: "2", memory: "2Gi", expected: 87 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("n1", { cpu: "4", memory: "8Gi" })] });
      expect(h.score("NodeResourcesBalancedAllocation", makePod("p", { cpu: c.cpu, memory: c.memory }))?.n1).toBe(
        c.expected,
      );
    });
  }
});
