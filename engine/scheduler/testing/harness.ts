import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/core";
import type { StorageClass } from "../../api/storage";
import type { KubeObject } from "../../api/types";
import { VirtualClock } from "../../clock/VirtualClock";
import { SchedulerCache } from "../cache/SchedulerCache";
import { Framework } from "../framework/Framework";
import { newPodInfo, type PodInfo } from "../framework/PodInfo";
import { Code, type Status } from "../framework/Status";
import type { CycleState, Handle, NodeScore, Plugin } from "../framework/types";
import { defaultPlugins } from "../plugins/registry";
import { FakeClient } from "./FakeClient";

export interface HarnessWorld {
  nodes: Node[];
  /** Pods already bound (spec.nodeName set). */
  pods?: Pod[];
  claims?: PersistentVolumeClaim[];
  volumes?: PersistentVolume[];
  storageClasses?: StorageClass[];
  workloads?: KubeObject[];
  namespaces?: Record<string, Record<string, string>>;
  nominated?: Record<string, Pod[]>;
}

/**
 * A scheduler framework over a fixed world, without queue or informers, for table-driven plugin
 * tests: run one plugin's PreFilter+Filter on a node, or its PreScore+Score+NormalizeScore on all.
 */
export function harness(world: HarnessWorld) {
  const cache = new SchedulerCache();
  for (const node of world.nodes) cache.addOrUpdateNode(node);
  for (const pod of world.pods ?? []) cache.addOrUpdatePod(newPodInfo(pod), pod.spec?.nodeName ?? "");
  const client = new FakeClient();
  const clock = new VirtualClock();
  let framework!: Framework;
  const nominated = new Map<string, PodInfo[]>();
  for (const [node, pods] of Object.entries(world.nominated ?? {}))
    nominated.set(
      node,
      pods.map((p) => newPodInfo(p)),
    );
  const handle: Handle = {
    clock,
    client,
    nodes: () => cache.nodes(),
    node: (name) => cache.node(name),
    namespaceLabels: (namespace) => world.namespaces?.[namespace],
    persistentVolumeClaim: (namespace, name) =>
      world.claims?.find((c) => c.metadata.namespace === namespace && c.metadata.name === name),
    persistentVolumes: () => world.volumes ?? [],
    storageClass: (name) => world.storageClasses?.find((s) => s.metadata.name === name),
    workloads: (namespace) => (world.workloads ?? []).filter((w) => w.metadata.namespace === namespace),
    runFilters: (state, pod, node) => framework.runFilters(state, pod, node),
    event: () => {},
    imageNodeCount: (image) => cache.imageNodeCounts.get(image) ?? 0,
    preferNoScheduleTaintedNodes: () => cache.preferNoScheduleTaintedNodes,
    nominatedPods: (node) => nominated.get(node) ?? [],
    hasNominatedPods: () => nominated.size > 0,
    nodesWithAffinityPods: () => cache.nodesWithAffinityPods.values(),
    nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods.values(),
  };
  framework = new Framework(defaultPlugins, handle, () => 0);
  const plugin = (name: string): Plugin => {
    const found = framework.plugins.find((p) => p.name === name);
    if (!found) throw new Error(`no plugin ${name}`);
    return found;
  };
  const preFilter = (p: Plugin, state: CycleState, info: PodInfo): Status | "skip" | null => {
    const { status } = p.preFilter?.(state, info) ?? { status: null };
    if (status?.code === Code.Skip) return "skip";
    return status && status.code !== Code.Success ? status : null;
  };
  return {
    cache,
    client,
    clock,
    framework,
    handle,
    plugin,
    /** PreFilter then Filter of one plugin on one node: null when it fits, "skip" when PreFilter skipped. */
    filter(name: string, pod: Pod, nodeName: string): Status | "skip" | null {
      const p = plugin(name);
      const state = framework.newCycleState();
      const info = newPodInfo(pod);
      const pre = preFilter(p, state, info);
      if (pre) return pre;
      const node = cache.node(nodeName);
      if (!node) throw new Error(`no node ${nodeName}`);
      return p.filter?.(state, info, node) ?? null;
    },
    /** One plugin's normalized scores over every node (all treated as feasible); undefined when skipped. */
    score(name: string, pod: Pod): Record<string, number> | undefined {
      const p = plugin(name);
      const state = framework.newCycleState();
      const info = newPodInfo(pod);
      p.preFilter?.(state, info);
      const nodes = cache.nodes();
      const pre = p.preScore?.(state, info, nodes) ?? null;
      if (pre?.code === Code.Skip) return undefined;
      const scores: NodeScore[] = nodes.map((node) => ({ name: node.name, score: p.score?.(state, info, node) ?? 0 }));
      p.normalizeScore?.(state, info, scores);
      return Object.fromEntries(scores.map((s) => [s.name, s.score]));
    },
    schedule(pod: Pod) {
      return framework.schedulePod(framework.newCycleState(), newPodInfo(pod), true);
    },
  };
}

/** A status as `Code: reason, reason` for compact expectations. */
export function describeStatus(status: Status | "skip" | null): string {
  if (status === null) return "fits";
  if (status === "skip") return "skip";
  return `${Code[status.code]}: ${status.reasons.join(", ")}`;
}
