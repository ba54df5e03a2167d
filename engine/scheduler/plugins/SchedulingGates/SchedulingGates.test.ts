import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

describe("SchedulingGates", () => {
  const cases = [
    { name: "no gates", gates: undefined, expected: null },
    { name: "gates", gates: [{ name: "a" }, { name: "b" }], expected: "waiting for scheduling gates: [a b]" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plugin = harness({ nodes: [makeNode("n1")] }).plugin("SchedulingGates");
      const status = plugin.preEnqueue?.(makePod("p", { spec: { schedulingGates: c.gates } }));
      expect(status ? status.message() : null).toBe(c.expected);
    });
  }
});
