import type { NodeSelectorTerm, Pod } from "../../../api/core";
import type { NodeInfo } from "../../framework/NodeInfo";
import { Status } from "../../framework/Status";
import { matchesMap, matchesNodeSelectorTerm } from "../../framework/selectors";
import type { Plugin, PluginFactory } from "../../framework/types";
import { defaultNormalizeScore } from "../normalize";

export const name = "NodeAffinity";
export const reasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";

/**
 * Filter: `spec.nodeSelector` and required node affinity (terms ORed, expressions ANDed).
 * Score: the sum of the weights of the preferred terms the node matches.
 */
export const NodeAffinity: PluginFactory = {
  name,
  weight: 2,
  create: (): Plugin => ({
    name,
    events: [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    preFilter(_state, pod) {
      const spec = pod.pod.spec;
      const hasSelector = spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0;
      const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (!hasSelector && !required) return { status: Status.skip() };
      // A required term that only pins metadata.name narrows the candidates, as upstream's PreFilterResult.
      const names = required ? nodeNamesFromTerms(required.nodeSelectorTerms) : undefined;
      if (names && names.size === 0) {
        return { status: Status.unresolvable(reasonNodeAffinity) };
      }
      return { status: null, result: names ? { nodeNames: names } : undefined };
    },
    filter(_state, pod, node) {
      return requiredMatches(pod.pod, node) ? null : Status.unresolvable(reasonNodeAffinity);
    },
    preScore(_state, pod) {
      const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      return preferred && preferred.length > 0 ? null : Status.skip();
    },
    score(_state, pod, node) {
      let total = 0;
      for (const term of pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
        if (term.weight !== 0 && matchesNodeSelectorTerm(term.preference, node.labels, node.name)) total += term.weight;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, false);
    },
  }),
};

/** Does the node satisfy the pod's nodeSelector and required node affinity? (also used by other plugins) */
export function requiredMatches(pod: Pod, node: NodeInfo): boolean {
  const spec = pod.spec;
  if (!matchesMap(spec?.nodeSelector, node.labels)) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((term) => matchesNodeSelectorTerm(term, node.labels, node.name));
}

/** If every term has a `metadata.name In [...]` field requirement, the union of those names. */
function nodeNamesFromTerms(terms: NodeSelectorTerm[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const term of terms) {
    const field = (term.matchFields ?? []).find((f) => f.key === "metadata.name" && f.operator === "In");
    if (!field) return undefined;
    names ??= new Set();
    for (const value of field.values ?? []) names.add(value);
  }
  return names;
}
