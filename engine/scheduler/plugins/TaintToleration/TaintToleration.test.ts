import { describe, expect, it } from "vitest";
import type { Taint, Toleration } from "../../../api/core";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const noSchedule: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
const prefer: Taint = { key: "spot", value: "true", effect: "PreferNoSchedule" };

describe("TaintToleration", () => {
  const cases: Array<{ name: string; taints: Taint[]; tolerations?: Toleration[]; expected: string }> = [
    { name: "no taints", taints: [], expected: "fits" },
    {
      name: "untolerated NoSchedule names the taint",
      taints: [noSchedule],
      expected: "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}",
    },
    {
      name: "Equal toleration",
      taints: [noSchedule],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
      expected: "fits",
    },
    {
      name: "Exists without key tolerates all",
      taints: [noSchedule],
      tolerations: [{ operator: "Exists" }],
      expected: "fits",
    },
    {
      name: "wrong effect does not tolerate",
      taints: [noSchedule],
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }],
      expected: "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}",
    },
    { name: "PreferNoSchedule never filters", taints: [prefer], expected: "fits" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("n1", { taints: c.taints })] });
      const pod = makePod("p", { spec: { tolerations: c.tolerations } });
      expect(describeStatus(h.filter("TaintToleration", pod, "n1"))).toBe(c.expected);
    });
  }

  it("scores nodes with fewer untolerated PreferNoSchedule taints higher", () => {
    const h = harness({
      nodes: [
        makeNode("clean"),
        makeNode("one", { taints: [prefer] }),
        makeNode("two", { taints: [prefer, { ...prefer, key: "other" }] }),
      ],
    });
    expect(h.score("TaintToleration", makePod("p"))).toEqual({ clean: 100, one: 50, two: 0 });
    const tolerant = makePod("p", { spec: { tolerations: [{ key: "spot", operator: "Exists" }] } });
    expect(h.score("TaintToleration", tolerant)).toEqual({ clean: 100, one: 100, two: 0 });
  });
});
