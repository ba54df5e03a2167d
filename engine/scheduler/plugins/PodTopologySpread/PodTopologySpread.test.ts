import { describe, expect, it } from "vitest";
import type { TopologySpreadConstraint } from "../../../api/core";
import { newPodInfo } from "../../framework/PodInfo";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
const nodes = [
  makeNode("a1", { labels: zone("a") }),
  makeNode("a2", { labels: zone("a") }),
  makeNode("b1", { labels: zone("b") }),
  makeNode("nolabel"),
];
const web = (name: string, nodeName?: string) => makePod(name, { labels: { app: "web" }, nodeName });
const spread = (whenUnsatisfiable: string, maxSkew = 1): TopologySpreadConstraint[] => [
  {
    maxSkew,
    topologyKey: "topology.kubernetes.io/zone",
    whenUnsatisfiable,
    labelSelector: { matchLabels: { app: "web" } },
  },
];

describe("PodTopologySpread", () => {
  const existing = [web("w1", "a1"), web("w2", "a2")];
  const cases = [
    {
      name: "zone with more pods exceeds maxSkew 1",
      node: "a1",
      maxSkew: 1,
      expected: "Unschedulable: node(s) didn't match pod topology spread constraints",
    },
    { name: "emptier zone fits", node: "b1", maxSkew: 1, expected: "fits" },
    {
      name: "skew 3 (2 + itself − 0) exceeds maxSkew 2",
      node: "a1",
      maxSkew: 2,
      expected: "Unschedulable: node(s) didn't match pod topology spread constraints",
    },
    { name: "maxSkew 3 allows the fuller zone", node: "a1", maxSkew: 3, expected: "fits" },
    {
      name: "node without the key",
      node: "nolabel",
      maxSkew: 1,
      expected:
        "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes, pods: existing });
      const pod = makePod("new", {
        labels: { app: "web" },
        spec: { topologySpreadConstraints: spread("DoNotSchedule", c.maxSkew) },
      });
      expect(describeStatus(h.filter("PodTopologySpread", pod, c.node))).toBe(c.expected);
    });
  }

  it("scores the emptier zone higher for ScheduleAnyway and ignores nodes without the key", () => {
    const h = harness({ nodes, pods: existing });
    const pod = makePod("new", {
      labels: { app: "web" },
      spec: { topologySpreadConstraints: spread("ScheduleAnyway") },
    });
    const scores = h.score("PodTopologySpread", pod);
    expect(scores?.b1).toBe(100);
    expect(scores?.nolabel).toBe(0);
    expect(scores?.a1).toBeLessThan(scores?.b1 ?? 0);
  });

  it("applies the system default constraints to pods selected by a Service", () => {
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { app: "web" } },
    };
    const hostnames = [makeNode("n1"), makeNode("n2")];
    const h = harness({ nodes: hostnames, pods: [web("w1", "n1"), web("w2", "n1")], workloads: [service] });
    const scores = h.score("PodTopologySpread", makePod("new", { labels: { app: "web" } }));
    expect(scores?.n2).toBe(100);
    expect(scores?.n1).toBeLessThan(100);
    // Without a Service, ReplicaSet or StatefulSet selecting it, a bare pod has no default spreading.
    expect(harness({ nodes: hostnames }).score("PodTopologySpread", makePod("bare"))).toBeUndefined();
  });

  it("counts again on a node whose pods changed since its counts were cached, and not on a clone's behalf", () => {
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { app: "web" } },
    };
    const h = harness({ nodes: [makeNode("n1"), makeNode("n2")], pods: [web("w1", "n1")], workloads: [service] });
    const pod = makePod("new", { labels: { app: "web" } });
    expect(h.score("PodTopologySpread", pod)).toEqual({ n1: expect.any(Number), n2: 100 });
    const before = h.score("PodTopologySpread", pod)?.n1 ?? 0;
    expect(before).toBeLessThan(100);
    // A dry run on a clone of n2 adds pods there: n2's own counts stay what they were.
    const clone = h.cache.node("n2")?.clone();
    for (const name of ["c1", "c2", "c3"]) clone?.addPod(newPodInfo(web(name, "n2")));
    expect(h.score("PodTopologySpread", pod)?.n2).toBe(100);
    // Two more pods on n2 in the cache: n2 now has more matching pods than n1.
    h.cache.addOrUpdatePod(newPodInfo(web("w2", "n2")), "n2");
    h.cache.addOrUpdatePod(newPodInfo(web("w3", "n2")), "n2");
    const after = h.score("PodTopologySpread", pod);
    expect(after?.n1).toBe(100);
    expect(after?.n2).toBeLessThan(100);
    // And a pod being deleted no longer counts.
    const deleting = web("w3", "n2");
    h.cache.addOrUpdatePod(
      newPodInfo({ ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } }),
      "n2",
    );
    h.cache.removePod(newPodInfo(web("w2", "n2")).uid);
    expect(h.score("PodTopologySpread", pod)).toEqual({ n1: before, n2: 100 });
  });
});
