import type { Pod } from "../../../api/core";
import type { NodeInfo } from "../../framework/NodeInfo";
import { type AffinityTerm, type PodInfo, termMatches } from "../../framework/PodInfo";
import { Status } from "../../framework/Status";
import { type Handle, maxNodeScore, type Plugin, type PluginFactory } from "../../framework/types";

export const name = "InterPodAffinity";
export const reasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const reasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const reasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
/** Weight of an existing pod's required affinity towards the incoming pod in scoring (upstream default 1). */
const hardPodAffinityWeight = 1;

interface FilterState {
  /** `key=value` topology pairs → count, for existing pods' anti-affinity that matches the incoming pod. */
  existingAnti: Map<string, number>;
  /** For the incoming pod's required affinity: pairs holding pods that match all its terms. */
  affinity: Map<string, number>;
  /** For the incoming pod's required anti-affinity: pairs holding pods that match a term. */
  anti: Map<string, number>;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;

/**
 * Pod affinity and anti-affinity: required terms filter (including existing pods' anti-affinity
 * against the incoming pod, which makes anti-affinity symmetric), preferred terms score.
 */
export const InterPodAffinity: PluginFactory = {
  name,
  weight: 2,
  create: (handle): Plugin => {
    const labels = (namespace: string) => handle.namespaceLabels(namespace);
    return {
      name,
      events: [
        { resource: "AssignedPod", action: "Add" },
        { resource: "AssignedPod", action: "Update" },
        { resource: "AssignedPod", action: "Delete" },
        { resource: "Node", action: "Add" },
        { resource: "Node", action: "Update" },
      ],
      preFilter(state, pod) {
        const hasOwnTerms = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
        // Allocated once something counts: most pods have no terms and meet no anti-affinity.
        let existingAnti: Map<string, number> | undefined;
        for (const node of handle.nodesWithRequiredAntiAffinityPods()) {
          for (const existing of node.podsWithRequiredAntiAffinity.values()) {
            for (const term of existing.requiredAntiAffinity) {
              const value = node.labels[term.topologyKey];
              if (value === undefined || !termMatches(term, pod.pod, labels)) continue;
              existingAnti ??= new Map();
              increment(existingAnti, pair(term.topologyKey, value));
            }
          }
        }
        if (!hasOwnTerms && !existingAnti) return { status: Status.skip() };
        existingAnti ??= new Map();
        const affinity = new Map<string, number>();
        const anti = new Map<string, number>();
        for (const node of hasOwnTerms ? handle.nodes() : []) {
          for (const existing of node.pods.values()) {
            if (
              pod.requiredAffinity.length > 0 &&
              pod.requiredAffinity.every((t) => termMatches(t, existing.pod, labels))
            ) {
              for (const term of pod.requiredAffinity) {
                const value = node.labels[term.topologyKey];
                if (value !== undefined) increment(affinity, pair(term.topologyKey, value));
              }
            }
            for (const term of pod.requiredAntiAffinity) {
              const value = node.labels[term.topologyKey];
              if (value !== undefined && termMatches(term, existing.pod, labels))
                increment(anti, pair(term.topologyKey, value));
            }
          }
        }
        state.write(`${name}/filter`, { existingAnti, affinity, anti } satisfies FilterState);
        return { status: null };
      },
      filter(state, pod, node) {
        const filterState = state.read<FilterState>(`${name}/filter`);
        if (!filterState) return null;
        if (filterState.existingAnti.size > 0) {
          for (const key in node.labels) {
            if ((filterState.existingAnti.get(pair(key, node.labels[key])) ?? 0) > 0) {
              return Status.unschedulable(reasonExistingAntiAffinityRulesNotMatch);
            }
          }
        }
        if (!satisfiesAffinity(handle, filterState, pod, node)) return Status.unresolvable(reasonAffinityRulesNotMatch);
        for (const term of pod.requiredAntiAffinity) {
          const value = node.labels[term.topologyKey];
          if (value !== undefined && (filterState.anti.get(pair(term.topologyKey, value)) ?? 0) > 0) {
            return Status.unschedulable(reasonAntiAffinityRulesNotMatch);
          }
        }
        return null;
      },
      preScore(state, pod) {
        const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
        // Allocated on the first term that scores: most pods meet none.
        let scores: Map<string, Map<string, number>> | undefined;
        const add = (key: string, value: string | undefined, weight: number) => {
          if (value === undefined || weight === 0) return;
          scores ??= new Map();
          let byValue = scores.get(key);
          if (!byValue) {
            byValue = new Map();
            scores.set(key, byValue);
          }
          byValue.set(value, (byValue.get(value) ?? 0) + weight);
        };
        for (const node of hasPreferred ? handle.nodes() : handle.nodesWithAffinityPods()) {
          const candidates = hasPreferred ? node.pods : node.podsWithAffinity;
          for (const existing of candidates.values()) {
            for (const term of pod.preferredAffinity) {
              if (termMatches(term, existing.pod, labels))
                add(term.topologyKey, node.labels[term.topologyKey], term.weight);
            }
            for (const term of pod.preferredAntiAffinity) {
              if (termMatches(term, existing.pod, labels))
                add(term.topologyKey, node.labels[term.topologyKey], -term.weight);
            }
            for (const term of existing.requiredAffinity) {
              if (termMatches(term, pod.pod, labels))
                add(term.topologyKey, node.labels[term.topologyKey], hardPodAffinityWeight);
            }
            for (const term of existing.preferredAffinity) {
              if (termMatches(term, pod.pod, labels)) add(term.topologyKey, node.labels[term.topologyKey], term.weight);
            }
            for (const term of existing.preferredAntiAffinity) {
              if (termMatches(term, pod.pod, labels))
                add(term.topologyKey, node.labels[term.topologyKey], -term.weight);
            }
          }
        }
        if (!scores || scores.size === 0) return Status.skip();
        state.write(`${name}/score`, scores);
        return null;
      },
      score(state, _pod, node) {
        const scores = state.read<Map<string, Map<string, number>>>(`${name}/score`);
        if (!scores) return 0;
        let total = 0;
        for (const [key, byValue] of scores) {
          const value = node.labels[key];
          if (value !== undefined) total += byValue.get(value) ?? 0;
        }
        return total;
      },
      normalizeScore(state, _pod, scores) {
        if (!state.read(`${name}/score`)) return;
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        for (const entry of scores) {
          min = Math.min(min, entry.score);
          max = Math.max(max, entry.score);
        }
        const spread = max - min;
        for (const entry of scores)
          entry.score = spread > 0 ? Math.trunc((maxNodeScore * (entry.score - min)) / spread) : 0;
      },
    };
  },
};

function satisfiesAffinity(handle: Handle, state: FilterState, pod: PodInfo, node: NodeInfo): boolean {
  if (pod.requiredAffinity.length === 0) return true;
  let allFound = true;
  for (const term of pod.requiredAffinity) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false;
    if ((state.affinity.get(pair(term.topologyKey, value)) ?? 0) <= 0) allFound = false;
  }
  if (allFound) return true;
  // The first pod of a group whose affinity selects itself may go anywhere its terms' keys exist.
  return state.affinity.size === 0 && matchesOwnTerms(handle, pod.pod, pod.requiredAffinity);
}

function matchesOwnTerms(handle: Handle, pod: Pod, terms: AffinityTerm[]): boolean {
  return terms.every((term) => termMatches(term, pod, (namespace) => handle.namespaceLabels(namespace)));
}

function increment(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}
