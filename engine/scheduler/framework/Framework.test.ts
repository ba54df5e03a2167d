import { describe, expect, it } from "vitest";
import type { Node, Pod, Taint, Toleration } from "../../api/core";
import { VirtualClock } from "../../clock/VirtualClock";
import { SchedulerCache } from "../cache/SchedulerCache";
import { defaultPlugins } from "../plugins/registry";
import { defaultRowPath } from "../plugins/rowPath";
import { makeNode, makePod } from "../testing/builders";
import { FakeClient } from "../testing/FakeClient";
import { Framework, type ScheduleResult } from "./Framework";
import { newPodInfo } from "./PodInfo";
import type { RowPath, RowPathFactory } from "./RowPath";
import type { Handle } from "./types";

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A framework over its own cache, with or without the row path; counts the cycles the row path took. */
function world(nodes: Node[], rows: boolean, random: () => number) {
  const cache = new SchedulerCache();
  for (const node of nodes) cache.addOrUpdateNode(node);
  let framework!: Framework;
  const handle: Handle = {
    clock: new VirtualClock(),
    client: new FakeClient(),
    nodes: () => cache.nodes(),
    node: (name) => cache.node(name),
    namespaceLabels: () => undefined,
    persistentVolumeClaim: () => undefined,
    persistentVolumes: () => [],
    storageClass: () => undefined,
    workloads: () => [],
    runFilters: (state, pod, node) => framework.runFilters(state, pod, node),
    event: () => {},
    preferNoScheduleTaintedNodes: () => cache.preferNoScheduleTaintedNodes,
    imageNodeCount: (image) => cache.imageNodeCounts.get(image) ?? 0,
    nominatedPods: () => [],
    hasNominatedPods: () => false,
    nodesWithAffinityPods: () => cache.nodesWithAffinityPods.values(),
    nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods.values(),
  };
  const taken = { cycles: 0 };
  const counting: RowPathFactory = (weight) => {
    const path = defaultRowPath(weight);
    return {
      filterPlugins: path.filterPlugins,
      scorePlugins: path.scorePlugins,
      prepare: (pod) => {
        const ok = path.prepare(pod);
        if (ok) taken.cycles++;
        return ok;
      },
      fits: (data, base) => path.fits(data, base),
      score: (data, base) => path.score(data, base),
    } satisfies RowPath;
  };
  framework = new Framework(defaultPlugins, handle, random, 0, rows ? counting : undefined);
  return { cache, framework, taken };
}

const pick = <T>(random: () => number, items: T[]): T => items[Math.floor(random() * items.length)];

function randomNode(random: () => number, i: number): Node {
  const taints: Taint[] = [];
  if (random() < 0.15) taints.push({ key: "dedicated", value: pick(random, ["a", "b"]), effect: "NoSchedule" });
  if (random() < 0.1) taints.push({ key: "spot", effect: "PreferNoSchedule" });
  if (random() < 0.05) taints.push({ key: "evict", effect: "NoExecute" });
  const node = makeNode(`node-${i}`, {
    cpu: pick(random, ["1", "2", "4", "500m"]),
    memory: pick(random, ["1Gi", "2Gi", "4Gi", "3Gi"]),
    pods: pick(random, ["3", "5", "110"]),
    taints,
    unschedulable: random() < 0.1,
    labels: { zone: pick(random, ["a", "b", "c"]) },
  });
  if (random() < 0.1) {
    const allocatable = node.status?.allocatable as Record<string, string>;
    allocatable["ephemeral-storage"] = pick(random, ["1Gi", "10Gi"]);
    allocatable["example.com/gpu"] = pick(random, ["1", "2"]);
  }
  return node;
}

function randomPod(random: () => number, i: number): Pod {
  const requests: Record<string, string> = {};
  if (random() < 0.8) requests.cpu = pick(random, ["100m", "250m", "500m", "1"]);
  if (random() < 0.8) requests.memory = pick(random, ["64Mi", "256Mi", "512Mi", "1Gi"]);
  if (random() < 0.1) requests["ephemeral-storage"] = pick(random, ["100Mi", "2Gi"]);
  if (random() < 0.05) requests["example.com/gpu"] = "1";
  const tolerations: Toleration[] = [];
  if (random() < 0.2) tolerations.push({ key: "dedicated", operator: "Equal", value: "a", effect: "NoSchedule" });
  if (random() < 0.1) tolerations.push({ key: "node.kubernetes.io/unschedulable", operator: "Exists" });
  if (random() < 0.1) tolerations.push({ operator: "Exists" });
  return makePod(`pod-${i}`, {
    containers: [{ name: "app", image: "nginx", resources: { requests } }],
    spec: {
      tolerations: tolerations.length > 0 ? tolerations : undefined,
      // Some pods need a Filter outside the row path (NodeAffinity), so both paths alternate.
      nodeSelector: random() < 0.1 ? { zone: pick(random, ["a", "b"]) } : undefined,
    },
  });
}

/** Everything a cycle decides, in a comparable form. */
function verdict(result: ScheduleResult) {
  if (result.ok) return { ok: true, node: result.nodeName, evaluated: result.evaluated, feasible: result.feasible };
  return {
    ok: false,
    error: result.error,
    statuses: [...result.statuses].map(([node, s]) => `${node} ${s.plugin} ${s.code} ${s.reasons.join(", ")}`),
    plugins: [...result.unschedulablePlugins].sort(),
    preFilter: result.preFilterMessage,
    absent: result.absentStatus?.message(),
  };
}

describe("Framework", () => {
  it("decides exactly as the plugins do when the row path runs Filter and Score", () => {
    let rowCycles = 0;
    let generalCycles = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const random = prng(seed);
      // Under and over 100 nodes, so sampling (and the rotating start) is exercised.
      const nodeCount = pick(random, [3, 20, 150, 260]);
      const nodes = Array.from({ length: nodeCount }, (_, i) => randomNode(random, i));
      const fast = world(nodes, true, prng(seed * 7));
      const general = world(nodes, false, prng(seed * 7));
      const podCount = nodeCount * 2;
      for (let i = 0; i < podCount; i++) {
        const pod = newPodInfo(randomPod(random, i));
        const a = fast.framework.schedulePod(fast.framework.newCycleState(), pod);
        const b = general.framework.schedulePod(general.framework.newCycleState(), pod);
        const same = JSON.stringify(verdict(a)) === JSON.stringify(verdict(b));
        if (!same) expect(verdict(a), `seed ${seed} pod ${i}`).toEqual(verdict(b));
        if (a.ok) fast.cache.assumePod(pod, a.nodeName);
        if (b.ok) general.cache.assumePod(pod, b.nodeName);
      }
      rowCycles += fast.taken.cycles;
      generalCycles += podCount - fast.taken.cycles;
    }
    // Both paths ran many times, and clusters filled up so rejections were compared too.
    expect(rowCycles).toBeGreaterThan(500);
    expect(generalCycles).toBeGreaterThan(100);
  });

  it.each([
    { nodes: 1, wanted: 1 },
    { nodes: 99, wanted: 99 },
    { nodes: 100, wanted: 100 },
    // 50 − 130/125 is 49 in upstream's integer arithmetic: 130 × 49 / 100 = 63, so at least 100.
    { nodes: 130, wanted: 100 },
    { nodes: 300, wanted: 144 },
    { nodes: 1000, wanted: 420 },
    { nodes: 5000, wanted: 500 },
    { nodes: 6000, wanted: 300 },
    { nodes: 15000, wanted: 750 },
  ])("numFeasibleNodesToFind($nodes) is $wanted as upstream", ({ nodes, wanted }) => {
    const { framework } = world([], false, () => 0);
    expect(framework.numFeasibleNodesToFind(nodes)).toBe(wanted);
  });

  it("starts each cycle where the previous one stopped, also over a PreFilter's narrowed list", () => {
    const nodes = Array.from({ length: 300 }, (_, i) => makeNode(`node-${i}`, { cpu: "100" }));
    const { framework, cache } = world(nodes, true, () => 0);
    const names = (nodeNames: string[]) =>
      makePod("p", {
        cpu: "1",
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: nodeNames }] }],
              },
            },
          },
        },
      });
    // 300 nodes: 144 feasible wanted; all fit, so each cycle moves the start by 144 (mod 300).
    const first = framework.schedulePod(framework.newCycleState(), newPodInfo(makePod("a", { cpu: "1" })));
    expect(first).toMatchObject({ ok: true, evaluated: 144, feasible: 144 });
    // With ties everywhere and random() = 0 the first feasible node wins: the window's first.
    expect(first.ok && first.nodeName).toBe("node-0");
    const second = framework.schedulePod(framework.newCycleState(), newPodInfo(makePod("b", { cpu: "1" })));
    expect(second.ok && second.nodeName).toBe("node-144");
    // Narrowed to 3 nodes: the window starts at 288 mod 3 = 0 of those, and advances by 3.
    const narrowed = framework.schedulePod(
      framework.newCycleState(),
      newPodInfo(names(["node-7", "node-8", "node-9"])),
    );
    expect(narrowed).toMatchObject({ ok: true, evaluated: 3 });
    const third = framework.schedulePod(framework.newCycleState(), newPodInfo(makePod("c", { cpu: "1" })));
    expect(third.ok && third.nodeName).toBe(`node-${(288 + 3) % 300}`);
    expect(cache.nodes()).toHaveLength(300);
  });

  it("tries the pod's nominated node first, and alone when it fits", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => makeNode(`node-${i}`, { cpu: i === 4 ? "1" : "8" }));
    const { framework } = world(nodes, true, () => 0);
    const nominated = (cpu: string) => {
      const pod = makePod("preemptor", { cpu });
      pod.status = { phase: "Pending", nominatedNodeName: "node-4" };
      return newPodInfo(pod);
    };
    expect(framework.schedulePod(framework.newCycleState(), nominated("500m"))).toMatchObject({
      ok: true,
      nodeName: "node-4",
      evaluated: 1,
      feasible: 1,
    });
    // The nominated node no longer fits: every node is considered, the nominated one's status kept.
    const result = framework.schedulePod(framework.newCycleState(), nominated("2"));
    expect(result).toMatchObject({ ok: true, feasible: 9, evaluated: 10 });
    expect(result.ok && result.nodeName).not.toBe("node-4");
  });
});
