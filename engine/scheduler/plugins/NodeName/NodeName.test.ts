import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

describe("NodeName", () => {
  const cases = [
    { name: "no nodeName", nodeName: undefined, node: "a", expected: "skip" },
    { name: "matching nodeName", nodeName: "a", node: "a", expected: "fits" },
    {
      name: "other nodeName",
      nodeName: "a",
      node: "b",
      expected: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("a"), makeNode("b")] });
      expect(describeStatus(h.filter("NodeName", makePod("p", { nodeName: c.nodeName }), c.node))).toBe(c.expected);
    });
  }
});
