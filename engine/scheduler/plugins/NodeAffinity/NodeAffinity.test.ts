import { describe, expect, it } from "vitest";
import type { Affinity } from "../../../api/core";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const nodes = [
  makeNode("ssd", { labels: { disktype: "ssd", size: "10" } }),
  makeNode("hdd", { labels: { disktype: "hdd", size: "2" } }),
];
const required = (affinity: Affinity["nodeAffinity"]): Affinity => ({ nodeAffinity: affinity });

describe("NodeAffinity", () => {
  const cases = [
    { name: "no selector skips", spec: {}, node: "hdd", expected: "skip" },
    { name: "nodeSelector matches", spec: { nodeSelector: { disktype: "ssd" } }, node: "ssd", expected: "fits" },
    {
      name: "nodeSelector does not match",
      spec: { nodeSelector: { disktype: "ssd" } },
      node: "hdd",
      expected: "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: "required In",
      spec: {
        affinity: required({
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] }],
          },
        }),
      },
      node: "ssd",
      expected: "fits",
    },
    {
      name: "required Gt",
      spec: {
        affinity: required({
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "size", operator: "Gt", values: ["5"] }] }],
          },
        }),
      },
      node: "hdd",
      expected: "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: "terms are ORed",
      spec: {
        affinity: required({
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "disktype", operator: "In", values: ["nvme"] }] },
              { matchFields: [{ key: "metadata.name", operator: "In", values: ["hdd"] }] },
            ],
          },
        }),
      },
      node: "hdd",
      expected: "fits",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(describeStatus(harness({ nodes }).filter("NodeAffinity", makePod("p", { spec: c.spec }), c.node))).toBe(
        c.expected,
      );
    });
  }

  it("scores preferred terms by weight", () => {
    const pod = makePod("p", {
      spec: {
        affinity: required({
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: "size", operator: "Exists" }] } },
          ],
        }),
      },
    });
    expect(harness({ nodes }).score("NodeAffinity", pod)).toEqual({ ssd: 100, hdd: 20 });
  });
});
