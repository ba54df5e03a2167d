import { describe, expect, it } from "vitest";
import type { Affinity } from "../../../api/core";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
const nodes = [makeNode("a1", { labels: zone("a") }), makeNode("b1", { labels: zone("b") })];
const term = (app: string, topologyKey = "topology.kubernetes.io/zone") => ({
  labelSelector: { matchLabels: { app } },
  topologyKey,
});

describe("InterPodAffinity", () => {
  const cache = makePod("cache", { labels: { app: "cache" }, nodeName: "a1" });
  const cases: Array<{
    name: string;
    affinity: Affinity;
    node: string;
    labels?: Record<string, string>;
    expected: string;
  }> = [
    {
      name: "required affinity, pod in zone",
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache")] } },
      node: "a1",
      expected: "fits",
    },
    {
      name: "required affinity, no pod in zone",
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache")] } },
      node: "b1",
      expected: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
    },
    {
      name: "required anti-affinity",
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache")] } },
      node: "a1",
      expected: "Unschedulable: node(s) didn't match pod anti-affinity rules",
    },
    {
      name: "first pod of a self-affine group may go anywhere",
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("db")] } },
      labels: { app: "db" },
      node: "b1",
      expected: "fits",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes, pods: [cache] });
      const pod = makePod("p", { labels: c.labels, spec: { affinity: c.affinity } });
      expect(describeStatus(h.filter("InterPodAffinity", pod, c.node))).toBe(c.expected);
    });
  }

  it("honors existing pods' anti-affinity against the incoming pod", () => {
    const loner = makePod("loner", {
      nodeName: "a1",
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("web")] } } },
    });
    const h = harness({ nodes, pods: [loner] });
    const pod = makePod("p", { labels: { app: "web" } });
    expect(describeStatus(h.filter("InterPodAffinity", pod, "a1"))).toBe(
      "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules",
    );
    expect(describeStatus(h.filter("InterPodAffinity", pod, "b1"))).toBe("fits");
  });

  it("scores preferred affinity", () => {
    const h = harness({ nodes, pods: [cache] });
    const pod = makePod("p", {
      spec: {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term("cache") }],
          },
        },
      },
    });
    expect(h.score("InterPodAffinity", pod)).toEqual({ a1: 100, b1: 0 });
  });
});
