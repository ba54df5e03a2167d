import type { Pod, TopologySpreadConstraint } from "../../../api/core";
import type { LabelSelector } from "../../../api/types";
import type { NodeInfo } from "../../framework/NodeInfo";
import type { PodInfo } from "../../framework/PodInfo";
import { Status } from "../../framework/Status";
import { compileLabelSelector, type LabelMatcher, matchesMap, toleratesTaint } from "../../framework/selectors";
import { type Handle, maxNodeScore, type Plugin, type PluginFactory } from "../../framework/types";
import { requiredMatches } from "../NodeAffinity/NodeAffinity";

export const name = "PodTopologySpread";
export const reasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const reasonNodeLabelNotMatch = `${reasonConstraintsNotMatch} (missing required label)`;
const hostnameKey = "kubernetes.io/hostname";

/** The cluster-level defaults applied to pods without constraints (upstream `systemDefaultConstraints`). */
export const systemDefaultConstraints: TopologySpreadConstraint[] = [
  { topologyKey: hostnameKey, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 3 },
  { topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", maxSkew: 5 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: LabelMatcher;
  /** The selector as text: pods' counts on a node are cached under it (see {@link countMatching}). */
  selectorKey: string;
  honorAffinity: boolean;
  honorTaints: boolean;
}

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods. */
  counts: Array<Map<string, number>>;
  /** Per constraint: the smallest count over the eligible domains. */
  minimums: number[];
}

interface ScoreState {
  constraints: Constraint[];
  counts: Array<Map<string, number>>;
  weights: number[];
  ignored: Set<string>;
}

/**
 * Spreads pods that match a selector across topology domains. DoNotSchedule constraints filter
 * nodes whose skew would exceed maxSkew; ScheduleAnyway constraints (and, for pods without any
 * constraint, the system defaults over hostname and zone with the selector of the pod's Services,
 * ReplicaSets and StatefulSets) score nodes with fewer matching pods higher.
 */
export const PodTopologySpread: PluginFactory = {
  name,
  weight: 2,
  create: (handle): Plugin => ({
    name,
    events: [
      { resource: "AssignedPod", action: "Add" },
      { resource: "AssignedPod", action: "Update" },
      { resource: "AssignedPod", action: "Delete" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
      { resource: "Node", action: "Delete" },
    ],
    preFilter(state, pod) {
      const constraints = explicitConstraints(pod.pod, "DoNotSchedule");
      if (constraints.length === 0) return { status: Status.skip() };
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of handle.nodes()) {
        if (!constraints.every((c) => c.topologyKey in node.labels)) continue;
        for (let i = 0; i < constraints.length; i++) {
          const constraint = constraints[i];
          if (!nodeEligible(constraint, pod, node)) continue;
          const value = node.labels[constraint.topologyKey];
          counts[i].set(value, (counts[i].get(value) ?? 0) + countMatching(node, constraint, pod.namespace));
        }
      }
      const minimums = constraints.map((constraint, i) => {
        if (counts[i].size < constraint.minDomains) return 0;
        let min = Number.POSITIVE_INFINITY;
        for (const count of counts[i].values()) min = Math.min(min, count);
        return Number.isFinite(min) ? min : 0;
      });
      state.write(`${name}/filter`, { constraints, counts, minimums } satisfies FilterState);
      return { status: null };
    },
    filter(state, pod, node) {
      const filterState = state.read<FilterState>(`${name}/filter`);
      if (!filterState) return null;
      const { constraints, counts, minimums } = filterState;
      for (let i = 0; i < constraints.length; i++) {
        const constraint = constraints[i];
        const value = node.labels[constraint.topologyKey];
        if (value === undefined) return Status.unresolvable(reasonNodeLabelNotMatch);
        const self = constraint.selector(pod.pod.metadata.labels) ? 1 : 0;
        const skew = (counts[i].get(value) ?? 0) + self - minimums[i];
        if (skew > constraint.maxSkew) return Status.unschedulable(reasonConstraintsNotMatch);
      }
      return null;
    },
    preScore(state, pod, filtered) {
      const explicit = pod.pod.spec?.topologySpreadConstraints ?? [];
      const requireAllTopologies = explicit.length > 0;
      const constraints = requireAllTopologies
        ? explicitConstraints(pod.pod, "ScheduleAnyway")
        : defaultConstraints(handle, pod.pod);
      if (constraints.length === 0) return Status.skip();
      const ignored = new Set<string>();
      const domains = constraints.map(() => new Set<string>());
      let hostnameDomains = 0;
      for (const node of filtered) {
        if (requireAllTopologies && !constraints.every((c) => c.topologyKey in node.labels)) {
          ignored.add(node.name);
          continue;
        }
        hostnameDomains++;
        for (let i = 0; i < constraints.length; i++) {
          const value = node.labels[constraints[i].topologyKey];
          if (value !== undefined) domains[i].add(value);
        }
      }
      const weights = constraints.map((c, i) =>
        Math.log((c.topologyKey === hostnameKey ? hostnameDomains : domains[i].size) + 2),
      );
      const counts = constraints.map(() => new Map<string, number>());
      if (constraints.some((c) => c.topologyKey !== hostnameKey)) {
        for (const node of handle.nodes()) {
          if (requireAllTopologies && !constraints.every((c) => c.topologyKey in node.labels)) continue;
          for (let i = 0; i < constraints.length; i++) {
            const constraint = constraints[i];
            if (constraint.topologyKey === hostnameKey) continue;
            const value = node.labels[constraint.topologyKey];
            if (value === undefined || !domains[i].has(value) || !nodeEligible(constraint, pod, node)) continue;
            counts[i].set(value, (counts[i].get(value) ?? 0) + countMatching(node, constraint, pod.namespace));
          }
        }
      }
      state.write(`${name}/score`, { constraints, counts, weights, ignored } satisfies ScoreState);
      return null;
    },
    score(state, pod, node) {
      const scoreState = state.read<ScoreState>(`${name}/score`);
      if (!scoreState || scoreState.ignored.has(node.name)) return 0;
      let score = 0;
      const { constraints, counts, weights } = scoreState;
      for (let i = 0; i < constraints.length; i++) {
        const constraint = constraints[i];
        const value = node.labels[constraint.topologyKey];
        if (value === undefined) continue;
        const count =
          constraint.topologyKey === hostnameKey
            ? countMatching(node, constraint, pod.namespace)
            : (counts[i].get(value) ?? 0);
        score += count * weights[i] + (constraint.maxSkew - 1);
      }
      return Math.round(score);
    },
    normalizeScore(state, _pod, scores) {
      const scoreState = state.read<ScoreState>(`${name}/score`);
      if (!scoreState) return;
      let min = Number.POSITIVE_INFINITY;
      let max = 0;
      for (const entry of scores) {
        if (scoreState.ignored.has(entry.name)) continue;
        min = Math.min(min, entry.score);
        max = Math.max(max, entry.score);
      }
      for (const entry of scores) {
        if (scoreState.ignored.has(entry.name)) entry.score = 0;
        else if (max === 0) entry.score = maxNodeScore;
        else entry.score = Math.trunc((maxNodeScore * (max + min - entry.score)) / max);
      }
    },
  }),
};

function explicitConstraints(pod: Pod, action: string): Constraint[] {
  if (!pod.spec?.topologySpreadConstraints?.length) return noConstraints;
  return pod.spec.topologySpreadConstraints
    .filter((c) => c.whenUnsatisfiable === action)
    .map((c) => compile(c, mergeMatchLabelKeys(c.labelSelector, c.matchLabelKeys, pod.metadata.labels ?? {})));
}

function compile(constraint: TopologySpreadConstraint, selector: LabelSelector | undefined): Constraint {
  return {
    maxSkew: constraint.maxSkew,
    topologyKey: constraint.topologyKey,
    minDomains: constraint.minDomains ?? 1,
    selector: compileLabelSelector(selector),
    selectorKey: selector ? JSON.stringify(selector) : "",
    honorAffinity: (constraint.nodeAffinityPolicy ?? "Honor") === "Honor",
    honorTaints: constraint.nodeTaintsPolicy === "Honor",
  };
}

function mergeMatchLabelKeys(
  selector: LabelSelector | undefined,
  keys: string[] | undefined,
  labels: Record<string, string>,
) {
  if (!selector || !keys || keys.length === 0) return selector;
  const merged = structuredClone(selector);
  merged.matchExpressions ??= [];
  for (const key of keys)
    if (key in labels) merged.matchExpressions.push({ key, operator: "In", values: [labels[key]] });
  return merged;
}

/** System defaults with the selector of every Service/RC/ReplicaSet/StatefulSet that selects the pod. */
function defaultConstraints(handle: Handle, pod: Pod): Constraint[] {
  const labels = pod.metadata.labels ?? {};
  // Built on the first selecting workload: most pods' cycles find none and allocate nothing here.
  let merged: LabelSelector | undefined;
  for (const workload of handle.workloads(pod.metadata.namespace ?? "default")) {
    const selector = workload.spec?.selector;
    if (!selector) continue;
    if (workload.kind === "Service" || workload.kind === "ReplicationController") {
      if (Object.keys(selector).length === 0 || !matchesMap(selector, labels)) continue;
      merged ??= { matchLabels: {}, matchExpressions: [] };
      Object.assign(merged.matchLabels as Record<string, string>, selector);
    } else {
      if (!compileLabelSelector(selector)(labels)) continue;
      merged ??= { matchLabels: {}, matchExpressions: [] };
      Object.assign(merged.matchLabels as Record<string, string>, selector.matchLabels ?? {});
      merged.matchExpressions?.push(...(selector.matchExpressions ?? []));
    }
  }
  if (!merged) return noConstraints;
  const selector = merged;
  return systemDefaultConstraints.map((c) => compile(c, selector));
}

const noConstraints: Constraint[] = [];

function nodeEligible(constraint: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (constraint.honorAffinity && !requiredMatches(pod.pod, node)) return false;
  if (constraint.honorTaints) {
    for (const taint of node.taints) {
      if (
        (taint.effect === "NoSchedule" || taint.effect === "NoExecute") &&
        !toleratesTaint(pod.pod.spec?.tolerations, taint)
      ) {
        return false;
      }
    }
  }
  return true;
}

/**
 * Per node, the matching-pod counts computed since its last change (`NodeInfo.generation`), by
 * namespace and selector. Upstream counts a node's pods for every node it scores in every cycle, so
 * the work per pod grows with the pods per node; a Deployment's pods share one selector, and
 * between two of its pods only the node that took the first has changed. Keyed by the NodeInfo
 * object: a clone (preemption's and nominated pods' dry runs) has its own entry.
 */
const matchCounts = new WeakMap<NodeInfo, { generation: number; counts: Map<string, number> }>();

/** Pods on the node in `namespace`, not being deleted, that the constraint's selector matches. */
function countMatching(node: NodeInfo, constraint: Constraint, namespace: string): number {
  let cached = matchCounts.get(node);
  if (!cached || cached.generation !== node.generation) {
    cached = { generation: node.generation, counts: new Map() };
    matchCounts.set(node, cached);
  }
  const key = `${namespace}\n${constraint.selectorKey}`;
  const known = cached.counts.get(key);
  if (known !== undefined) return known;
  let count = 0;
  for (const info of node.pods.values()) {
    if (info.namespace !== namespace || info.pod.metadata.deletionTimestamp) continue;
    if (constraint.selector(info.pod.metadata.labels)) count++;
  }
  cached.counts.set(key, count);
  return count;
}
